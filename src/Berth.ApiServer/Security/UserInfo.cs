using System.Collections.Immutable;
using Berth.StackApi;

namespace Berth.ApiServer.Security;

/// <summary>An authenticated caller, as k8s.io/apiserver's user.Info.</summary>
internal sealed record UserInfo(string Name, string? Uid, ImmutableArray<string> Groups, ImmutableDictionary<string, ImmutableArray<string>> Extra)
{
    public const string AuthenticatedGroup = "system:authenticated";
    public const string MastersGroup = "system:masters";

    /// <summary>Every authenticated user is in system:authenticated (AS/pkg/authentication/group/authenticated_group_adder.go).</summary>
    public UserInfo WithAuthenticatedGroup()
        => Groups.Contains(AuthenticatedGroup) ? this : this with { Groups = Groups.Add(AuthenticatedGroup) };

    /// <summary>This user as the Stack API records an owner.</summary>
    public StackUser ToStackUser() => new(Name, Uid, Groups, Extra);
}
