
namespace Berth.ApiServer.Http;

/// <summary>
/// /healthz, /livez, /readyz as AS/pkg/server/healthz/healthz.go: text/plain "ok", or 500 with one line per failed
/// check and the reason withheld (it is logged instead). No authentication: kubelet probes have no credentials.
/// </summary>
internal static class Health
{
    public static async Task WriteAsync(HttpContext context, Func<CancellationToken, Task<bool>> etcdHealthy, bool checkEtcd, ILogger logger, CancellationToken cancellationToken)
    {
        var healthy = true;
        if (checkEtcd)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                healthy = await etcdHealthy(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("etcd health check failed: {Error}", e.Message);
                healthy = false;
            }
        }

        var verbose = context.Request.Query.ContainsKey("verbose");
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        context.Response.StatusCode = healthy ? 200 : 500;
        var name = context.Request.Path.Value!.TrimStart('/');
        string text;
        if (healthy)
        {
            text = verbose ? $"[+]ping ok\n{(checkEtcd ? "[+]etcd ok\n" : string.Empty)}{name} check passed\n" : "ok";
        }
        else
        {
            text = $"[+]ping ok\n[-]etcd failed: reason withheld\n{name} check failed\n";
        }

        await context.Response.WriteAsync(text, cancellationToken).ConfigureAwait(false);
    }
}
