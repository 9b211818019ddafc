using System.Text.Json;
using Berth.Swarm.Apply;
using Docker.DotNet;

namespace Berth.Cli.Commands.Stack;

/// <summary>Connects, runs, and turns engine failures into one clear line and a non-zero exit.</summary>
internal static class EngineAction
{
    public static async Task<int> RunAsync(TextWriter stderr, string commandName, Func<string, string?> environment, Func<IDockerClient, Task<int>> action, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = SwarmEngine.Connect(environment);
            try
            {
                return await action(client).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (SwarmEngine.IsNotManager(ex))
            {
                // Reads (ls, services, ps, rm) get the engine's 503 where deploy checks first: say it as deploy does,
                // with the node's Swarm state and the hint (the check throws; it returns only if the node became a manager since).
                await SwarmEngine.RequireManagerAsync(client, cancellationToken).ConfigureAwait(false);
                throw;
            }
        }
        catch (SwarmEngineException ex)
        {
            stderr.WriteLine($"berth stack {commandName}: {ex.Message}");
            if (ex.Hint is { } hint)
            {
                stderr.WriteLine($"hint: {hint}");
            }

            return ExitCodes.OrchestratorError;
        }
        catch (DockerApiException ex)
        {
            // The engine's own message (e.g. a port already in use); request bodies, which may hold secrets, are never printed.
            stderr.WriteLine($"berth stack {commandName}: the engine refused: {FirstMessage(ex.ResponseBody)}");
            return ExitCodes.OrchestratorError;
        }
    }

    private static string FirstMessage(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "{}");
            return doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : body ?? string.Empty;
        }
        catch (JsonException)
        {
            return body ?? string.Empty;
        }
    }
}
