using System.Security.Cryptography;
using System.Text.Json;
using Berth.Console.State;
using Berth.StackService;
using Microsoft.AspNetCore.DataProtection;

namespace Berth.Console.Stacks;

/// <summary>
/// Submissions between the review and the deploy, so the files a user uploaded once need not travel through the page
/// again: the review page carries only the draft's id, and secrets' files never reach the browser. Drafts are kept in
/// the console's store (never deployed from without being validated again; Portainer #4469), so a review made on one
/// replica is deployed by another; the submission is encrypted with Data Protection (the key ring the replicas share),
/// as it may carry secrets' files. A draft belongs to the account that made it and expires after an hour.
/// </summary>
internal sealed class DeployDrafts(IConsoleStore store, IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IDataProtector _protector = protection.CreateProtector("Berth.Console.DeployDrafts");

    public async Task<string> PutAsync(string account, DeployInput input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var payload = JsonSerializer.SerializeToUtf8Bytes(DraftPayload.Of(input), Json);
        await store.PutDraftAsync(new StoredDraft(id, account, now, Convert.ToBase64String(_protector.Protect(payload))), now - Lifetime, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>The account's draft of that id, or null (unknown, expired, another account's, or not readable with the key ring).</summary>
    public async Task<DeployInput?> FindAsync(string account, string? id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64
            || await store.FindDraftAsync(id, cancellationToken).ConfigureAwait(false) is not { } draft
            || !string.Equals(draft.Account, account, StringComparison.OrdinalIgnoreCase)
            || clock.GetUtcNow() - draft.CreatedAt > Lifetime)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DraftPayload>(_protector.Unprotect(Convert.FromBase64String(draft.ProtectedPayload)), Json)?.ToInput();
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A submission as JSON: files' bytes as base64.</summary>
    private sealed record DraftPayload(string Name, string Orchestrator, string Namespace, string Compose, string Env, IReadOnlyList<DraftFile> Overrides, IReadOnlyList<DraftFile> ResourceFiles)
    {
        public static DraftPayload Of(DeployInput input) => new(
            input.Name,
            DeployInput.Slug(input.Orchestrator),
            input.Namespace,
            input.Compose,
            input.Env,
            [.. input.Overrides.Select(f => new DraftFile(f.Name, [.. f.Content]))],
            [.. input.ResourceFiles.Select(f => new DraftFile(f.Name, [.. f.Content]))]);

        public DeployInput ToInput() => new(Name, DeployInput.ParseOrchestrator(Orchestrator) ?? StackOrchestrator.Swarm, Namespace, Compose, Env)
        {
            Overrides = [.. Overrides.Select(f => new SubmittedFile(f.Name, [.. f.Content]))],
            ResourceFiles = [.. ResourceFiles.Select(f => new SubmittedFile(f.Name, [.. f.Content]))],
        };
    }

    private sealed record DraftFile(string Name, byte[] Content);
}
