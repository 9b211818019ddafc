using System.Globalization;
using System.Text;

namespace Berth.Bench;

/// <summary>Writes a large, realistic Compose file: every service uses ports, env, volumes, healthchecks, deploy and depends_on.</summary>
public static class GeneratedProject
{
    public static string Write(string directory, int services)
    {
        Directory.CreateDirectory(directory);
        var sb = new StringBuilder();
        sb.Append("x-defaults: &defaults\n  restart: unless-stopped\n  logging:\n    driver: json-file\n    options: {max-size: 10m}\nservices:\n");
        for (var i = 0; i < services; i++)
        {
            var s = i.ToString(CultureInfo.InvariantCulture);
            sb.Append("  svc").Append(s).Append(":\n");
            sb.Append("    <<: *defaults\n");
            sb.Append("    image: registry.example/team/app").Append(s).Append(":${TAG:-1.0}\n");
            sb.Append("    command: [\"serve\", \"--port\", \"80\"]\n");
            sb.Append("    environment:\n      - MODE=production\n      - INDEX=").Append(s).Append("\n      - DEBUG\n");
            sb.Append("    ports:\n      - \"").Append((10000 + i).ToString(CultureInfo.InvariantCulture)).Append(":80\"\n");
            sb.Append("    volumes:\n      - data").Append(s).Append(":/var/lib/data\n      - ./conf:/etc/app:ro\n");
            sb.Append("    healthcheck:\n      test: curl -f http://localhost/ || exit 1\n      interval: 30s\n      timeout: 5s\n");
            sb.Append("    deploy:\n      replicas: 2\n      resources:\n        limits: {cpus: '0.5', memory: 128M}\n");
            sb.Append("    labels:\n      com.example.index: \"").Append(s).Append("\"\n");
            if (i > 0)
            {
                sb.Append("    depends_on: [svc").Append((i - 1).ToString(CultureInfo.InvariantCulture)).Append("]\n");
            }
        }

        sb.Append("volumes:\n");
        for (var i = 0; i < services; i++)
        {
            sb.Append("  data").Append(i.ToString(CultureInfo.InvariantCulture)).Append(": {}\n");
        }

        var path = Path.Combine(directory, "compose.yaml");
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
