using Berth.Compose.Loading;
using Berth.Kubernetes.Convert;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>Compose files for the apply scenarios, written with their secret files to a temporary folder and converted like the CLI does.</summary>
internal static class StackFiles
{
    public const string Namespace = "shop";

    /// <summary>
    /// web uses the secret and the config; db owns a volume (StatefulSet claim template); api and worker share a
    /// volume (one PVC); monitor is global (DaemonSet); migrate is a job.
    /// </summary>
    public static string Shop(string webImage = "nginx:1.27", bool withWorker = true) => $$"""
        services:
          web:
            image: {{webImage}}
            ports: ["8080:80"]
            secrets: [db-password]
            configs: [{source: site, target: /etc/site/site.conf}]
          api:
            image: example/api:1
            expose: ["9000"]
            volumes: ["shared:/data"]
          db:
            image: postgres:16
            volumes: ["db-data:/var/lib/postgresql/data"]
            secrets: [db-password]
        {{(withWorker ? "  worker:\n    image: example/worker:1\n    volumes: [\"shared:/work\"]\n" : string.Empty)}}  monitor:
            image: example/monitor:1
            deploy: {mode: global}
          migrate:
            image: example/migrate:1
            deploy: {mode: replicated-job}
        secrets:
          db-password:
            file: ./db-password.txt
        configs:
          site:
            content: "listen 80"
        volumes:
          shared:
          db-data:
        """;

    public static KubernetesPlan Convert(string yaml, string password = "s3cret", string stack = "shop", string @namespace = Namespace)
    {
        // The secret's file is read during the conversion: the folder can go once the plan is made.
        using var project = new TempProject(("compose.yaml", yaml), ("db-password.txt", password));
        var loaded = ProjectLoader.Load(new LoadOptions { Files = [project.PathOf("compose.yaml")], ProjectName = stack }, TestContext.Current.CancellationToken);
        Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));
        var plan = KubernetesConverter.Convert(loaded.Project!, new KubernetesConvertOptions
        {
            Namespace = @namespace,
            StackName = stack,
            FileContents = ResourceContentReader.Read(loaded.Project!),
        });
        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        return plan;
    }
}
