using System.Globalization;

namespace Berth.Stacks.Progress;

/// <summary>
/// Shows one line per service, <c>name  running/desired  state</c>, as <c>docker service update</c> does. On a
/// terminal the block is redrawn in place (cursor up, clear line); when output is redirected (logs, CI, tests)
/// a line is appended only when a service's line changes, so the output stays readable and diffable.
/// </summary>
public sealed class ConvergenceDisplay(TextWriter output, bool interactive) : IConvergenceReporter
{
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
    private int _drawn;

    public void Update(IReadOnlyList<ServiceProgress> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var width = services.Count == 0 ? 0 : services.Max(s => s.Name.Length);
        if (interactive)
        {
            if (_drawn > 0)
            {
                output.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{_drawn}A"));
            }

            foreach (var service in services)
            {
                output.Write("\u001b[2K");
                output.WriteLine(Line(service, width));
            }

            _drawn = services.Count;
        }
        else
        {
            foreach (var service in services)
            {
                var line = Line(service, width);
                if (!_last.TryGetValue(service.Name, out var previous) || previous != line)
                {
                    output.WriteLine(line);
                    _last[service.Name] = line;
                }
            }
        }

        output.Flush();
    }

    public void Complete(IReadOnlyList<ServiceProgress> services, bool converged)
    {
        ArgumentNullException.ThrowIfNull(services);
        Update(services);
        var done = services.Count(s => s.Done);
        output.WriteLine(converged
            ? $"{done}/{services.Count} services converged"
            : $"{done}/{services.Count} services converged; not converged: {string.Join(", ", services.Where(s => !s.Done).Select(s => s.Name))}");
        output.Flush();
    }

    public static string Line(ServiceProgress service, int width)
    {
        ArgumentNullException.ThrowIfNull(service);
        var counts = string.Create(CultureInfo.InvariantCulture, $"{service.Running}/{service.Desired}");
        return $"{service.Name.PadRight(width)}  {counts,-5}  {service.State}";
    }
}
