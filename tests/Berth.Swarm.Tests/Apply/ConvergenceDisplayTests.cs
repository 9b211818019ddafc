using Berth.Cli.Output;
using Berth.Stacks.Progress;
using Berth.Swarm.Apply;

namespace Berth.Swarm.Tests.Apply;

/// <summary>The progress display, with an injected writer: redrawn in place on a terminal, appended lines otherwise.</summary>
public sealed class ConvergenceDisplayTests
{
    private static readonly ServiceProgress[] s_starting = [new("s_web", 0, 2, "preparing", false, false), new("s_db", 1, 1, "converged", true, false)];
    private static readonly ServiceProgress[] s_done = [new("s_web", 2, 2, "converged", true, false), new("s_db", 1, 1, "converged", true, false)];

    [Fact]
    public void Redirected_AppendsOnlyChangedLines_ThenSummary()
    {
        var output = new StringWriter();
        var display = new ConvergenceDisplay(output, interactive: false);
        display.Update(s_starting);
        display.Update(s_starting);
        display.Complete(s_done, converged: true);

        Assert.Equal(
            "s_web  0/2    preparing\ns_db   1/1    converged\ns_web  2/2    converged\n2/2 services converged\n",
            output.ToString().ReplaceLineEndings("\n"));
        Assert.DoesNotContain('\u001b', output.ToString());
    }

    [Fact]
    public void Interactive_RedrawsTheBlockInPlace()
    {
        var output = new StringWriter();
        var display = new ConvergenceDisplay(output, interactive: true);
        display.Update(s_starting);
        display.Complete(s_done, converged: true);

        var text = output.ToString().ReplaceLineEndings("\n");
        Assert.StartsWith("\u001b[2Ks_web  0/2    preparing\n\u001b[2Ks_db   1/1    converged\n", text, StringComparison.Ordinal);
        Assert.Contains("\u001b[2A\u001b[2Ks_web  2/2    converged\n", text, StringComparison.Ordinal);
        Assert.EndsWith("2/2 services converged\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Complete_NotConverged_NamesTheServicesLeft()
    {
        var output = new StringWriter();
        new ConvergenceDisplay(output, interactive: false).Complete(s_starting, converged: false);
        Assert.EndsWith("1/2 services converged; not converged: s_web\n", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
