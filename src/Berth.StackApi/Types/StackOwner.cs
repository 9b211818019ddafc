using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// The recorded owner: every create and update stores the authenticated user in spec.owner, whatever the body
/// said (internal/registry/strategyprepare.go); the controller impersonates it.
/// </summary>
public static class StackOwner
{
    /// <summary>Overwrites spec.owner with <paramref name="user"/>: impersonation.Config's keys plus the uid.</summary>
    public static void Set(JsonObject stored, StackUser user)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(user);
        if (stored["spec"] is not JsonObject spec)
        {
            spec = new JsonObject();
            stored["spec"] = spec;
        }

        var owner = new JsonObject { ["UserName"] = user.Name };
        if (user.Uid is { } uid)
        {
            // compose-on-kubernetes's Config had no uid; kept in storage for impersonation (Impersonate-Uid), not served.
            owner["UID"] = uid;
        }

        owner["Groups"] = user.Groups.IsDefaultOrEmpty ? null : new JsonArray([.. user.Groups.Select(g => JsonValue.Create(g))]);
        owner["Extra"] = user.Extra.IsEmpty
            ? null
            : new JsonObject(user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(v => JsonValue.Create(v))]))));
        spec[StackCodec.OwnerKey] = owner;
    }

    /// <summary>The stored owner as a user, or null when none was recorded.</summary>
    public static StackUser? Get(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored["spec"]?[StackCodec.OwnerKey] is not JsonObject owner)
        {
            return null;
        }

        return new StackUser(
            owner["UserName"]?.GetValue<string>() ?? string.Empty,
            owner["UID"]?.GetValue<string>(),
            owner["Groups"] is JsonArray groups ? [.. groups.Select(g => g!.GetValue<string>())] : [],
            owner["Extra"] is JsonObject extra
                ? extra.ToImmutableDictionary(e => e.Key, e => e.Value is JsonArray values ? values.Select(v => v!.GetValue<string>()).ToImmutableArray() : [], StringComparer.Ordinal)
                : ImmutableDictionary<string, ImmutableArray<string>>.Empty);
    }

    /// <summary>
    /// compose-on-kubernetes's <c>Owner</c> (api/compose/v1alpha3/owner.go; internal/registry/owner.go): empty
    /// ObjectMeta (Go writes <c>{"creationTimestamp":null}</c>) and impersonation.Config with its untagged keys.
    /// Null when no owner was recorded.
    /// </summary>
    public static JsonObject? GetOwnerObject(JsonObject stored, string version)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!StackApiGroup.IsServed(version))
        {
            throw new ArgumentException($"'{version}' is not a served version of {StackApiGroup.Group}", nameof(version));
        }

        if (stored["spec"]?[StackCodec.OwnerKey] is not JsonObject owner)
        {
            return null;
        }

        return new JsonObject
        {
            ["kind"] = "Owner",
            ["apiVersion"] = StackApiGroup.ApiVersion(version),
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["owner"] = new JsonObject
            {
                ["UserName"] = owner["UserName"]?.DeepClone() ?? string.Empty,
                ["Groups"] = owner["Groups"]?.DeepClone(),
                ["Extra"] = owner["Extra"]?.DeepClone(),
            },
        };
    }
}
