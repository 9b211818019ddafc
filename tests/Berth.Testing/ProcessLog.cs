using System.Diagnostics;
using System.Text;

namespace Berth.Testing;

/// <summary>
/// What a server process the tests started prints, on both streams, kept for failure messages. Only the tail is
/// kept: servers such as etcd are chatty.
/// </summary>
public sealed class ProcessLog
{
    private const int Limit = 64_000;

    private readonly StringBuilder _text = new();

    /// <summary>Collects <paramref name="process"/>'s output and error lines (before it starts).</summary>
    public void Capture(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
    }

    public bool Contains(string text) => ToString().Contains(text, StringComparison.Ordinal);

    public override string ToString()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            if (_text.Length > Limit)
            {
                _text.Remove(0, Limit / 2);
            }

            _text.AppendLine(line);
        }
    }
}
