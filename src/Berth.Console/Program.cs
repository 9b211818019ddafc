using Berth.Console.Hosting;

return await CommandLine.RunAsync(args, Console.In, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
