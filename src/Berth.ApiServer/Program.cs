using Berth.ApiServer.Hosting;

return await CommandLine.RunAsync(args, ApiServerHost.RunAsync).ConfigureAwait(false);
