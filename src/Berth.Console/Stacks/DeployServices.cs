namespace Berth.Console.Stacks;

/// <summary>The create/deploy part's services, registered by ConsoleHost with one line.</summary>
internal static class DeployServices
{
    public static IServiceCollection AddDeploy(this IServiceCollection services)
    {
        services.AddSingleton<DeployLoader>();
        services.AddSingleton<DeployTargets>();
        services.AddSingleton<DeployDrafts>();
        services.AddSingleton<DeployReview>();
        services.AddSingleton<DeployJobs>();
        services.AddHostedService(provider => provider.GetRequiredService<DeployJobs>());
        return services;
    }
}
