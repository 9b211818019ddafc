namespace Berth.Console.Accounts;

/// <summary>
/// The sentences for the result codes the admin endpoints put in their redirect: a link can only pick one of these,
/// never put its own words on the page.
/// </summary>
internal static class AdminMessages
{
    public static string? Done(string? code, string account) => code switch
    {
        "added" => $"Account {account} added.",
        "role" => $"The role of {account} changed; its sessions ended.",
        "scope" => $"The scope of {account} changed; its sessions ended.",
        "disabled" => $"{account} is disabled; its sessions ended.",
        "enabled" => $"{account} is enabled.",
        "unlocked" => $"{account} is unlocked.",
        "password" => $"The password of {account} changed; its sessions ended.",
        _ => null,
    };

    public static string? Error(string? code, string account) => code switch
    {
        "not-found" => $"There is no account named {account}.",
        "last-admin" => $"{account} is the last enabled admin: make another account an admin first.",
        "taken" => $"An account named {account} exists already.",
        "bad-name" => "An account name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.",
        "weak-password" => $"The password must have at least {AccountService.MinimumPasswordLength} characters.",
        "bad-role" => "The role must be admin, operator or viewer.",
        "bad-namespace" => "A namespace is lower-case letters, digits and '-' (a Kubernetes namespace name).",
        "bad-prefix" => "A stack prefix is letters, digits, '_', '.' or '-', starting with a letter or digit.",
        _ => null,
    };
}
