using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>One seed's input: the corpus file it came from, the mutated bytes and the flags it runs with.</summary>
internal sealed record FuzzCase(long Seed, string CorpusFile, byte[] Input, PipelineVariant Variant)
{
    public string WorkingDirectory => Path.GetDirectoryName(CorpusFile)!;
}

/// <summary>A distinct failure: the first seed that hit it, how many cases did, and the (minimised) input.</summary>
internal sealed record FuzzFinding(string Signature, FuzzCase Case, byte[] Minimised, string Detail)
{
    public int Hits { get; set; } = 1;
}

/// <summary>The outcome of a run.</summary>
internal sealed record FuzzSummary(long Cases, TimeSpan Elapsed, IReadOnlyList<FuzzFinding> Findings, long SlowCases, string Outcomes)
{
    public double CasesPerSecond => Cases / Math.Max(Elapsed.TotalSeconds, 0.001);
}

/// <summary>
/// In-process mutation fuzzer over the real corpus: case N is fully determined by its seed (corpus file, donor
/// file, mutations, flags), runs through <see cref="ComposePipeline"/> under a time bound, and a failure is
/// reported with the seed that reproduces it (<c>BERTH_FUZZ_SEED=N BERTH_FUZZ_CASES=1</c>).
/// </summary>
internal sealed class MutationFuzzer
{
    private readonly string[] _files;
    private readonly byte[][] _contents;
    private readonly long[] _outcomes = new long[Enum.GetValues<PipelineOutcome>().Length];

    public MutationFuzzer(IEnumerable<string> corpusFiles)
    {
        _files = [.. corpusFiles];
        if (_files.Length == 0)
        {
            throw new InvalidOperationException("the fuzzer needs at least one corpus file");
        }

        _contents = [.. _files.Select(File.ReadAllBytes)];
    }

    /// <summary>Per case; a case still running after this is waited for once more (a loaded machine is not a hang) and then reported as a hang.</summary>
    public TimeSpan CaseBound { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HangGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Shrinks each distinct failure's input (lines, then byte ranges) before reporting it.</summary>
    public bool Minimise { get; init; }

    public int Threads { get; init; } = 1;

    /// <summary>How many cases ended where: YAML syntax error, other load error, loaded (a converter refused it), converted by both.</summary>
    public string Outcomes => string.Join(", ", Enum.GetValues<PipelineOutcome>().Select(o => string.Create(CultureInfo.InvariantCulture, $"{o} {Interlocked.Read(ref _outcomes[(int)o])}")));

    public FuzzCase CreateCase(long seed)
    {
        var rng = new Random(unchecked((int)Mix(seed)));
        var index = rng.Next(_files.Length);
        var donor = _contents[rng.Next(_contents.Length)];
        var variant = new PipelineVariant(
            Interpolate: rng.Next(10) != 0,
            CheckConsistency: rng.Next(10) != 0,
            NetworkPolicies: rng.Next(4) == 0,
            NodePort: rng.Next(4) == 0);
        return new FuzzCase(seed, _files[index], ComposeMutator.Mutate(_contents[index], donor, rng), variant);
    }

    /// <summary>Runs seeds <paramref name="firstSeed"/> .. + <paramref name="cases"/> - 1; <paramref name="log"/> gets progress and findings as they come.</summary>
    public FuzzSummary Run(long firstSeed, long cases, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var findings = new Dictionary<string, FuzzFinding>(StringComparer.Ordinal);
        var next = -1L;
        var done = 0L;
        var slow = 0L;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var gate = new object();

        void Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= cases)
                {
                    return;
                }

                var fuzzCase = CreateCase(firstSeed + i);
                var (failure, wasSlow) = Execute(fuzzCase);
                if (wasSlow)
                {
                    Interlocked.Increment(ref slow);
                }

                if (failure is { } f)
                {
                    lock (gate)
                    {
                        if (findings.TryGetValue(f.Signature, out var known))
                        {
                            known.Hits++;
                        }
                        else
                        {
                            var minimised = Minimise && !f.Signature.StartsWith("hang", StringComparison.Ordinal) ? Shrink(fuzzCase, f.Signature) : fuzzCase.Input;
                            findings[f.Signature] = new FuzzFinding(f.Signature, fuzzCase, minimised, f.Detail);
                            log?.Invoke($"FINDING seed={fuzzCase.Seed} file={fuzzCase.CorpusFile} flags='{fuzzCase.Variant}' {f.Signature}\n{f.Detail}");
                        }
                    }
                }

                var count = Interlocked.Increment(ref done);
                if (log is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(60))
                {
                    lock (gate)
                    {
                        if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(60))
                        {
                            lastReport = clock.Elapsed;
                            log(string.Create(CultureInfo.InvariantCulture, $"progress {count}/{cases} cases, {count / clock.Elapsed.TotalSeconds:F0} cases/s, {findings.Count} distinct findings, {Interlocked.Read(ref slow)} slow; {Outcomes}"));
                        }
                    }
                }
            }
        }

        var threads = Enumerable.Range(0, Math.Max(1, Threads)).Select(_ => new Thread(Worker) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return new FuzzSummary(Interlocked.Read(ref done), clock.Elapsed, [.. findings.Values.OrderBy(f => f.Case.Seed)], Interlocked.Read(ref slow), Outcomes);
    }

    /// <summary>Runs one case; a failure's signature is the exception type and the frame that threw, so one bug is one finding.</summary>
    public ((string Signature, string Detail)? Failure, bool Slow) Execute(FuzzCase fuzzCase, bool checkTime = true)
    {
        var text = Decode(fuzzCase.Input);
        var task = Task.Run(() => ComposePipeline.Run(text, fuzzCase.WorkingDirectory, fuzzCase.Variant));
        var slow = false;
        if (checkTime && !Finished(task, CaseBound))
        {
            slow = true;
            if (!Finished(task, HangGrace))
            {
                return (($"hang: still running after {(CaseBound + HangGrace).TotalSeconds:F0} s", "input:\n" + text), slow);
            }
        }

        try
        {
            Interlocked.Increment(ref _outcomes[(int)task.GetAwaiter().GetResult()]);
            return (null, slow);
        }
        catch (Exception ex)
        {
            return ((Signature(ex), ex.ToString()), slow);
        }
    }

    private static bool Finished(Task task, TimeSpan bound)
    {
        try
        {
            return task.Wait(bound);
        }
        catch (AggregateException)
        {
            return true;
        }
    }

    /// <summary>Decodes the bytes as <c>File.ReadAllText</c> does (BOM detection, invalid UTF-8 replaced), as the CLI reads a file.</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static string Signature(Exception ex)
    {
        if (ex is PipelineInvariantException)
        {
            var colon = ex.Message.IndexOf(':', StringComparison.Ordinal);
            return "invariant: " + (colon > 0 ? ex.Message[..colon] : ex.Message);
        }

        var frame = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal)) ?? "?";
        var inFile = frame.IndexOf(" in ", StringComparison.Ordinal);
        return $"{ex.GetType().FullName} {(inFile > 0 ? frame[..inFile] : frame)}";
    }

    /// <summary>Greedy shrinking: drop lines, then byte ranges of falling size, keeping each cut that still fails the same way.</summary>
    private byte[] Shrink(FuzzCase fuzzCase, string signature)
    {
        var budget = 4000;
        bool StillFails(byte[] candidate)
        {
            budget--;
            var (failure, _) = Execute(fuzzCase with { Input = candidate });
            return failure?.Signature == signature;
        }

        var current = fuzzCase.Input;
        for (var size = Math.Max(1, current.Length / 2); size >= 1 && budget > 0; size /= 2)
        {
            for (var start = 0; start < current.Length && budget > 0;)
            {
                var candidate = current[..start].Concat(current[Math.Min(current.Length, start + size)..]).ToArray();
                if (StillFails(candidate))
                {
                    current = candidate;
                }
                else
                {
                    start += size;
                }
            }
        }

        return current;
    }

    private static ulong Mix(long seed)
    {
        // SplitMix64, so neighbouring seeds give unrelated cases.
        var z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
