using Berth.Controller.Hosting;

return await CommandLine.RunAsync(args, (options, ct) => ControllerHost.RunAsync(options, CreateWork, ct)).ConfigureAwait(false);

// PLACEHOLDER (wp/leader), replaced at merge by the stack controller (wp/controller), e.g.
//   var controller = StackController.Create(options, logs); return new LeadingWork(controller.RunAsync, () => controller.Synced);
static LeadingWork CreateWork(ControllerOptions options, ILoggerFactory logs) => new(ct => Task.Delay(Timeout.Infinite, ct), () => true);
