using System.Globalization;
using Berth.Stacks.Events;
using Berth.Stacks.Progress;

namespace Berth.Cli.Output;

/// <summary>
/// Shows one line per service, <c>name  running/desired  state</c>, as <c>docker service update</c> does. On a
/// terminal the block is redrawn in place (cursor up, clear line). When output is redirected (logs, CI, tests) lines
/// are appended sparingly so a log is not flooded: a service's line is printed when it first appears, when it becomes
/// done or failed, and when its state text is one not printed for it before; other changes (counts, a failing task's
/// retry cycling through states already shown) at most once per <c>interval</c> per service. The final lines and
/// the summary are always printed. It draws the progress events (<see cref="ServicesProgressed"/>,
/// <see cref="ConvergenceFinished"/>) of either orchestrator.
/// </summary>
internal sealed class ConvergenceDisplay : IStackEventSink
{
    private readonly TextWriter _output;
    private readonly bool _interactive;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, Printed> _printed = new(StringComparer.Ordinal);
    private int _drawn;

    public ConvergenceDisplay(TextWriter output, bool interactive)
        : this(output, interactive, TimeProvider.System, TimeSpan.FromSeconds(5))
    {
    }

    /// <param name="output">Where the lines go.</param>
    /// <param name="interactive">A terminal: redraw in place.</param>
    /// <param name="clock">The time source for the interval (tests pass a fake one).</param>
    /// <param name="interval">Redirected output: the least time between two lines of one service that say nothing new.</param>
    public ConvergenceDisplay(TextWriter output, bool interactive, TimeProvider clock, TimeSpan interval)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(clock);
        _output = output;
        _interactive = interactive;
        _clock = clock;
        _interval = interval;
    }

    public void Publish(StackEvent stackEvent)
    {
        switch (stackEvent)
        {
            case ServicesProgressed progressed:
                Update(progressed.Services);
                break;
            case ConvergenceFinished finished:
                Complete(finished.Services, finished.Converged);
                break;
        }
    }

    public void Update(IReadOnlyList<ServiceProgress> services) => Draw(services, final: false);

    public void Complete(IReadOnlyList<ServiceProgress> services, bool converged)
    {
        ArgumentNullException.ThrowIfNull(services);
        Draw(services, final: true);
        var done = services.Count(s => s.Done);
        _output.WriteLine(converged
            ? $"{done}/{services.Count} services converged"
            : $"{done}/{services.Count} services converged; not converged: {string.Join(", ", services.Where(s => !s.Done).Select(s => s.Name))}");
        _output.Flush();
    }

    private void Draw(IReadOnlyList<ServiceProgress> services, bool final)
    {
        ArgumentNullException.ThrowIfNull(services);
        var width = services.Count == 0 ? 0 : services.Max(s => s.Name.Length);
        if (_interactive)
        {
            if (_drawn > 0)
            {
                _output.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{_drawn}A"));
            }

            foreach (var service in services)
            {
                _output.Write("\u001b[2K");
                _output.WriteLine(Line(service, width));
            }

            _drawn = services.Count;
        }
        else
        {
            var now = _clock.GetUtcNow();
            foreach (var service in services)
            {
                var line = Line(service, width);
                if (ShouldPrint(service, line, now, final))
                {
                    _output.WriteLine(line);
                    var states = _printed.TryGetValue(service.Name, out var before) ? before.States : new HashSet<string>(StringComparer.Ordinal);
                    states.Add(service.State);
                    _printed[service.Name] = new Printed(line, service.Done, service.Failed, now, states);
                }
            }
        }

        _output.Flush();
    }

    private bool ShouldPrint(ServiceProgress service, string line, DateTimeOffset now, bool final)
    {
        if (!_printed.TryGetValue(service.Name, out var last))
        {
            return true;
        }

        if (last.Line == line)
        {
            return false;
        }

        return final
            || service.Done != last.Done
            || service.Failed != last.Failed
            || !last.States.Contains(service.State)
            || now - last.At >= _interval;
    }

    public static string Line(ServiceProgress service, int width)
    {
        ArgumentNullException.ThrowIfNull(service);
        var counts = string.Create(CultureInfo.InvariantCulture, $"{service.Running}/{service.Desired}");
        return $"{service.Name.PadRight(width)}  {counts,-5}  {service.State}";
    }

    /// <summary>What was last printed for a service, and every state text printed for it so far.</summary>
    private sealed record Printed(string Line, bool Done, bool Failed, DateTimeOffset At, HashSet<string> States);
}
