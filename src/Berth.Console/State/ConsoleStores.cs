using System.Xml.Linq;
using Berth.Console.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace Berth.Console.State;

/// <summary>Which store the options name (SQLite in the data folder, or PostgreSQL with --database), and where the cookie-signing keys live.</summary>
internal static class ConsoleStores
{
    public static IConsoleStore Open(string dataDirectory, string? database) =>
        database is null ? SqliteConsoleStore.InDataDirectory(dataDirectory) : new PostgresConsoleStore(database);

    /// <summary>For messages: the SQLite file, or the PostgreSQL database without its password.</summary>
    public static string Describe(string dataDirectory, string? database) =>
        database is null ? Path.Combine(dataDirectory, SqliteConsoleStore.FileName) : PostgresConsoleStore.Describe(database);

    /// <summary>
    /// SQLite: the keys folder in the data folder (one console). PostgreSQL: the key ring in the database, so every
    /// replica signs and reads the same cookies and antiforgery tokens without a shared folder.
    /// </summary>
    public static IDataProtectionBuilder PersistKeys(this IDataProtectionBuilder builder, ConsoleOptions options)
    {
        if (options.Database is null)
        {
            return builder.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")));
        }

        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services =>
            new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new StoreXmlRepository(services.GetRequiredService<IConsoleStore>())));
        return builder;
    }

    /// <summary>Data Protection's key ring in <c>data_protection_keys</c>.</summary>
    private sealed class StoreXmlRepository(IConsoleStore store) : IXmlRepository
    {
        // IXmlRepository is synchronous, and Data Protection calls it rarely (start-up, key roll-over), so blocking is fine.
        public IReadOnlyCollection<XElement> GetAllElements() =>
            [.. store.ReadDataProtectionKeysAsync(CancellationToken.None).GetAwaiter().GetResult().Select(XElement.Parse)];

        public void StoreElement(XElement element, string friendlyName) =>
            store.StoreDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), CancellationToken.None).GetAwaiter().GetResult();
    }
}
