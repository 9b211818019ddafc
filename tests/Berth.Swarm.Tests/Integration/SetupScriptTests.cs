using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// scripts/lib/apt-lock.sh, which scripts/setup-swarm.sh and setup-podman.sh source before apt-get: the bounded wait
/// for another package manager run. A background process holds a lock as apt and dpkg do (a POSIX lock) or as
/// flock(1) does, on a file of the test's own (BERTH_APT_LOCK_FILES), so the machine's real dpkg lock is never held.
/// </summary>
public sealed partial class SetupScriptTests
{
    // Runs in one shell: start the holder, wait (deadline 30 s) until it holds the lock, run the wait, stop the holder.
    private const string Scenario = """
        set -u
        . "$SCRIPT"
        lock="$(mktemp)"; ready="$lock.ready"
        case "$KIND" in
          flock) ( exec 9>>"$lock"; flock 9; touch "$ready"; exec sleep "$HOLD" ) & ;;
          posix) perl -e 'use Fcntl; open(my $f, ">>", $ARGV[0]) or die; my $l = pack("s s x4 q q i x4", F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLKW, $l) or die "lock: $!"; open(my $r, ">", $ARGV[1]) or die; close($r); sleep $ARGV[2]' "$lock" "$ready" "$HOLD" & ;;
          none) touch "$ready"; sleep 0 & ;;
        esac
        holder=$!
        for _ in $(seq 1 600); do [ -e "$ready" ] && break; sleep 0.05; done
        [ -e "$ready" ] || { echo "the holder did not take the lock within 30 s" >&2; kill "$holder"; exit 99; }
        start=${EPOCHREALTIME/./}
        BERTH_APT_LOCK_FILES="$lock" berth_wait_for_apt_locks "$TIMEOUT" t; rc=$?
        end=${EPOCHREALTIME/./}
        kill "$holder" 2>/dev/null; wait 2>/dev/null
        rm -f "$lock" "$ready"
        echo "rc=$rc ms=$(( (end - start) / 1000 )) file=$lock"
        """;

    [Theory]
    [InlineData("flock")]
    [InlineData("posix")]
    public void Wait_ReturnsOnceTheLockIsReleased_SayingWhatItWaitsFor(string kind)
    {
        var (rc, elapsed, file, stderr) = Run(kind, holdSeconds: 4, timeoutSeconds: 60);

        Assert.True(rc == 0, stderr);
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"returned after {elapsed} while the lock was held for 4 s\n{stderr}");
        Assert.StartsWith($"t: waiting for another package manager run to release {file} (held by pid ", stderr, StringComparison.Ordinal);
        Assert.Contains("s of at most 60s)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_GivesUpAtItsBound_WithAClearMessage()
    {
        var (rc, elapsed, file, stderr) = Run("posix", holdSeconds: 60, timeoutSeconds: 2);

        Assert.True(rc == 1, stderr);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}");
        Assert.Contains($"t: gave up after 2s waiting for another package manager run to release {file} (held by pid ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Wait_WithNoLockHeld_ReturnsAtOnce_Silently()
    {
        var (rc, _, _, stderr) = Run("none", holdSeconds: 0, timeoutSeconds: 60);

        Assert.True(rc == 0 && stderr.Length == 0, stderr);
    }

    [GeneratedRegex(@"^rc=(\d+) ms=(\d+) file=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex Outcome();

    private static (int Rc, TimeSpan Elapsed, string File, string Stderr) Run(string kind, int holdSeconds, int timeoutSeconds)
    {
        var start = new ProcessStartInfo("bash", ["-c", Scenario])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["SCRIPT"] = Path.Combine(TestPaths.RepoRoot, "scripts", "lib", "apt-lock.sh");
        start.Environment["KIND"] = kind;
        start.Environment["HOLD"] = holdSeconds.ToString(CultureInfo.InvariantCulture);
        start.Environment["TIMEOUT"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (!process.WaitForExit(TimeSpan.FromSeconds(180)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the scenario did not finish within 180 s");
        }

        process.WaitForExit();
        var match = Outcome().Match(stdout.Result);
        Assert.True(match.Success, $"exit {process.ExitCode}\nstdout:\n{stdout.Result}\nstderr:\n{stderr.Result}");
        return (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), TimeSpan.FromMilliseconds(long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)), match.Groups[3].Value, stderr.Result);
    }
}
