using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Testing;

namespace Berth.Swarm.Tests.Support;

/// <summary>
/// A second dockerd, not in Swarm mode, listening with --tlsverify on tcp://127.0.0.1:&lt;free port&gt; and on its own
/// unix socket, with its own data/exec roots and pidfile, no bridge and no iptables rules, so the main engine and the
/// host network are untouched. Dispose stops it (SIGTERM, then SIGKILL of it and its containerd) and deletes its folder.
/// </summary>
internal sealed class SecondDaemon : IDisposable
{
    private readonly Process _process;

    private SecondDaemon(string directory, int port, TestCertificates certificates, Process process)
    {
        Directory = directory;
        Port = port;
        Certificates = certificates;
        _process = process;
    }

    public string Directory { get; }

    public int Port { get; }

    public TestCertificates Certificates { get; }

    public string TcpHost => $"tcp://127.0.0.1:{Port}";

    public string UnixSocket => Path.Combine(Directory, "d.sock");

    public string LogFile => Path.Combine(Directory, "dockerd.log");

    /// <summary>The docker CLI pointed at this daemon over its unix socket (no TLS), to check what exists there.</summary>
    public Engine.Result Docker(params string[] args) => Engine.DockerWith(new Dictionary<string, string> { ["DOCKER_HOST"] = "unix://" + UnixSocket }, args);

    public static SecondDaemon Start()
    {
        // Short path: unix socket paths are limited to 108 bytes.
        var directory = System.IO.Directory.CreateTempSubdirectory("berth-d2-").FullName;
        Process? process = null;
        try
        {
            var certificates = TestCertificates.Create(System.IO.Directory.CreateDirectory(Path.Combine(directory, "tls")).FullName);
            File.WriteAllText(Path.Combine(directory, "daemon.json"), "{}");
            var port = FreePort.Loopback();
            var start = new ProcessStartInfo("dockerd") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
            {
                // Its own empty config file: /etc/docker/daemon.json (hosts, storage) belongs to the main engine.
                "--config-file", Path.Combine(directory, "daemon.json"),
                "--data-root", Path.Combine(directory, "data"),
                "--exec-root", Path.Combine(directory, "exec"),
                "--pidfile", Path.Combine(directory, "dockerd.pid"),
                "-H", "unix://" + Path.Combine(directory, "d.sock"),
                "-H", $"tcp://127.0.0.1:{port}",
                "--tlsverify", "--tlscacert", certificates.CaFile, "--tlscert", certificates.ServerCertFile, "--tlskey", certificates.ServerKeyFile,
                "--bridge=none", "--iptables=false", "--ip6tables=false",
            })
            {
                start.ArgumentList.Add(arg);
            }

            process = Process.Start(start)!;
            var log = new StreamWriter(Path.Combine(directory, "dockerd.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var daemon = new SecondDaemon(directory, port, certificates, process);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (daemon.Docker("version", "--format", "{{.Server.Version}}").ExitCode != 0)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    var text = File.Exists(daemon.LogFile) ? File.ReadAllText(daemon.LogFile) : string.Empty;
                    daemon.Dispose();
                    Assert.Fail("the second dockerd did not start:\n" + text[Math.Max(0, text.Length - 3000)..]);
                }

                Thread.Sleep(100);
            }

            return daemon;
        }
        catch
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
            }

            TryDelete(directory);
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // SIGTERM lets dockerd stop its own containerd and remove its sockets; SIGKILL of the tree only if it hangs.
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    term.WaitForExit();
                }

                if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }
        finally
        {
            _process.Dispose();
            TryDelete(Directory);
        }
    }

    private static void TryDelete(string directory)
    {
        for (var attempt = 0; attempt < 10 && System.IO.Directory.Exists(directory); attempt++)
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }
}
