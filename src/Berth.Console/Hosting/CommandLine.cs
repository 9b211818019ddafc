using System.CommandLine;
using System.Text;
using Berth.Console.Accounts;
using Berth.Console.State;
using Berth.Policy;

namespace Berth.Console.Hosting;

/// <summary>berth-console's command line: the server (root command) and <c>users add</c>.</summary>
internal static class CommandLine
{
    public const int UsageExitCode = 2;

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = Build(input, output, error);
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"berth-console: {e.Message}");
            }

            error.WriteLine("Run 'berth-console --help' for the flags.");
            return UsageExitCode;
        }

        return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Build(TextReader input, TextWriter output, TextWriter error)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen, ';'-separated", DefaultValueFactory = _ => ConsoleOptions.DefaultUrls };
        var dataDir = DataDirOption();
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The Kubernetes cluster (default: KUBECONFIG, then ~/.kube/config; none found: Swarm only)" };
        var database = DatabaseOption();
        var resolveImage = new Option<Berth.Swarm.Apply.ImageResolution?>("--resolve-image")
        {
            Description = "Pin images to their registry digests on deploy: always, changed (only when the reference changed), never (default: always on Swarm, as docker; never on Kubernetes)",
        };
        var policy = new Option<string?>("--policy")
        {
            Description = $"Deploy policy every deploy, edit and rollback is held to: a built-in profile ({PolicySource.ProfileNames}) or a policy file (docs/design/policy.md); Kubernetes namespaces' Pod Security labels apply with or without it",
            HelpName = "profile|FILE",
        };
        var policyMode = new Option<string?>("--policy-mode")
        {
            Description = "enforce: a stack that violates the policy is not deployed; warn: its violations are shown and it may be deployed (default: the policy's own mode)",
            HelpName = "warn|enforce",
        };
        policyMode.AcceptOnlyFromAmong("warn", "enforce");
        var root = new RootCommand("berth-console: the web console for Berth stacks on Swarm and Kubernetes. Create the first admin with 'berth-console users add NAME --role admin'.")
        {
            urls, dataDir, kubeconfig, database, resolveImage, policy, policyMode,
        };
        root.SetAction((parse, ct) =>
        {
            var options = new ConsoleOptions { Urls = parse.GetValue(urls)!, DataDirectory = Path.GetFullPath(parse.GetValue(dataDir)!), Kubeconfig = parse.GetValue(kubeconfig), Database = parse.GetValue(database), ResolveImage = parse.GetValue(resolveImage) };
            if (options.Kubeconfig is { } file && !File.Exists(file))
            {
                error.WriteLine($"berth-console: --kubeconfig {file}: no such file");
                return Task.FromResult(UsageExitCode);
            }

            if (ConsolePolicy.Read(parse.GetValue(policy), parse.GetValue(policyMode), error, ct) is not { } chosen)
            {
                return Task.FromResult(UsageExitCode);
            }

            return ConsoleHost.RunAsync(options with { Policy = chosen.Policy }, output, ct);
        });
        root.Subcommands.Add(Users(input, output, error));
        return root;
    }

    private static Option<string> DataDirOption() => new("--data-dir")
    {
        Description = "The console's folder: console.db (accounts, audit log) and the cookie-signing keys",
        DefaultValueFactory = _ => ConsoleOptions.DefaultDataDirectory(),
    };

    /// <summary>--database, or BERTH_CONSOLE_DATABASE: the environment keeps the password out of the process list.</summary>
    private static Option<string?> DatabaseOption()
    {
        var database = new Option<string?>("--database")
        {
            Description = "A PostgreSQL connection string (Host=…;Database=…;Username=…) for the accounts and audit log, shared by several console replicas (default: BERTH_CONSOLE_DATABASE, else SQLite in --data-dir)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BERTH_CONSOLE_DATABASE") is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
        };
        database.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && PostgresConsoleStore.ConnectionStringProblem(text) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return database;
    }

    private static Command Users(TextReader input, TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("NAME") { Description = "The account name" };
        var role = new Option<string>("--role") { Description = "admin, operator (deploy, scale, remove) or viewer", Required = true };
        role.CompletionSources.Add("admin", "operator", "viewer");
        role.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !ConsoleRoles.TryParse(result.Tokens[0].Value, out _))
            {
                result.AddError($"--role {result.Tokens[0].Value}: expected admin, operator or viewer");
            }
        });
        var dataDir = DataDirOption();
        var namespaces = new Option<string[]>("--namespace") { Description = "Limit the account to this Kubernetes namespace (repeatable)", AllowMultipleArgumentsPerToken = false };
        var prefixes = new Option<string[]>("--stack-prefix") { Description = "Limit the account to stacks whose names start so (repeatable)", AllowMultipleArgumentsPerToken = false };
        var database = DatabaseOption();
        var add = new Command("add", "Create an account; the password is read from standard input (one line), never from the command line")
        {
            name, role, dataDir, namespaces, prefixes, database,
        };
        add.SetAction(async (parse, ct) =>
        {
            ConsoleRoles.TryParse(parse.GetValue(role), out var consoleRole);
            var password = ReadPassword(input, error);
            if (password is null)
            {
                error.WriteLine("berth-console: no password on standard input; pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" | berth-console users add …");
                return 1;
            }

            var directory = Path.GetFullPath(parse.GetValue(dataDir)!);
            DataFolder.Create(directory);
            using var store = ConsoleStores.Open(directory, parse.GetValue(database));
            await store.MigrateAsync(ct).ConfigureAwait(false);
            var accounts = new AccountService(store, TimeProvider.System);
            var problems = await accounts.AddAsync(parse.GetValue(name)!, consoleRole, password, parse.GetValue(namespaces) ?? [], parse.GetValue(prefixes) ?? [], "berth-console users add", ct).ConfigureAwait(false);
            foreach (var problem in problems)
            {
                error.WriteLine($"berth-console: {problem}");
            }

            if (problems.Count > 0)
            {
                return 1;
            }

            output.WriteLine($"account {parse.GetValue(name)} ({ConsoleRoles.Name(consoleRole)}) added to {ConsoleStores.Describe(directory, parse.GetValue(database))}");
            return 0;
        });
        return new Command("users", "Manage the console's local accounts") { add };
    }

    /// <summary>One line from standard input; typed at a terminal, read without echo and asked twice.</summary>
    private static string? ReadPassword(TextReader input, TextWriter error)
    {
        if (!ReferenceEquals(input, System.Console.In) || System.Console.IsInputRedirected)
        {
            return input.ReadLine();
        }

        error.Write("Password: ");
        var first = ReadHidden();
        error.Write("Repeat password: ");
        var second = ReadHidden();
        if (first != second)
        {
            error.WriteLine("berth-console: the two passwords differ");
            return null;
        }

        return first;

        string ReadHidden()
        {
            var text = new StringBuilder();
            while (true)
            {
                var key = System.Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    error.WriteLine();
                    return text.ToString();
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    text.Length = Math.Max(0, text.Length - 1);
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    text.Append(key.KeyChar);
                }
            }
        }
    }
}
