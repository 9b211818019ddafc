using Berth.Controller.Hosting;
using Berth.Controller.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>A stack controller running in the test process (two workers, one namespace) until disposed.</summary>
internal sealed class RunningController : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public RunningController(string kubeconfig, string ns, TimeSpan resync, StackSource source = StackSource.Auto)
    {
        Controller = StackController.Create(new ControllerOptions { Kubeconfig = kubeconfig, Namespace = ns, Workers = 2, ResyncPeriod = resync, StackSource = source }, NullLoggerFactory.Instance);
        Run = Controller.RunAsync(_stop.Token);
    }

    public StackController Controller { get; }

    public Task Run { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Run.WaitAsync(TimeSpan.FromSeconds(30));
        Controller.Dispose();
        _stop.Dispose();
    }
}
