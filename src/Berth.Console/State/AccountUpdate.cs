namespace Berth.Console.State;

/// <summary>How <see cref="IConsoleStore.UpdateAccountAsync"/> ended.</summary>
internal enum AccountUpdate
{
    Updated,

    /// <summary>No account of that name (removed meanwhile, or never there).</summary>
    NotFound,

    /// <summary>Refused: the change would leave no enabled admin, and nobody could administer the console.</summary>
    NoEnabledAdminLeft,
}
