using Berth.Controller.Hosting;
using Berth.Controller.Reconcile;

return await CommandLine.RunAsync(args, (options, ct) => ControllerHost.RunAsync(options, CreateWork, ct)).ConfigureAwait(false);

// The stack controller runs while this replica leads; one instance across leadership terms (its queue and known
// stacks carry over, its watches list again on each RunAsync).
static LeadingWork CreateWork(ControllerOptions options, ILoggerFactory logs)
{
    var controller = StackController.Create(options, logs);
    return new LeadingWork(controller.RunAsync, () => controller.Synced);
}
