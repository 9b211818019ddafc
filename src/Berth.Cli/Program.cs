using Berth.Cli;

return BerthCommand.Run(args);
