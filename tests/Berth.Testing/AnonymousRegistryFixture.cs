using Xunit;

namespace Berth.Testing;

/// <summary>One real anonymous registry (pull and push without credentials) for a test class, and the images pushed to it (removed after).</summary>
public sealed class AnonymousRegistryFixture : IAsyncLifetime
{
    private RegistryServer? _registry;

    public RegistryServer Registry => _registry ?? throw new InvalidOperationException("not started");

    public RegistryImages Images { get; } = new();

    public async ValueTask InitializeAsync()
        => _registry = await RegistryServer.StartAnonymousAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        Images.RemoveTags();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
