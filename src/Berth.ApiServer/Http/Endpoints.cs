using Berth.ApiServer.Hosting;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>The routes: discovery, version, metrics; unknown paths answer a 404 Status.</summary>
internal static class Endpoints
{
    public static void Map(WebApplication app, ServerServices services)
    {
        _ = services;
        app.Map("/apis", context => Get(context, async ct =>
        {
            if (Discovery.AggregatedMediaType(context.Request.Headers.Accept.ToString()) is { } mediaType)
            {
                await Discovery.WriteAggregatedAsync(context, mediaType, ct).ConfigureAwait(false);
            }
            else
            {
                await HttpBodies.WriteJsonAsync(context, 200, Discovery.GroupList(), ct).ConfigureAwait(false);
            }
        }));
        app.Map("/apis/" + StackApiGroup.Group, context => Get(context, ct => HttpBodies.WriteJsonAsync(context, 200, Discovery.Group(), ct)));
        app.Map("/apis/" + StackApiGroup.Group + "/{version}", context => Get(context, ct =>
        {
            var version = (string)context.GetRouteValue("version")!;
            return StackApiGroup.IsServed(version) ? HttpBodies.WriteJsonAsync(context, 200, Discovery.ResourceList(version), ct) : throw ApiStatus.PathNotFound();
        }));
        app.Map("/version", context => Get(context, ct => HttpBodies.WriteJsonAsync(context, 200, ApiServerHost.VersionInfo(), ct)));
        app.Map("/openapi/v2", context => Get(context, ct => HttpBodies.WriteJsonAsync(context, 200, OpenApi.V2(), ct)));
        app.Map("/openapi/v3", context => Get(context, ct => HttpBodies.WriteJsonAsync(context, 200, OpenApi.V3Root(), ct)));
        app.Map("/openapi/v3/apis/" + StackApiGroup.Group + "/{version}", context => Get(context, ct =>
        {
            var version = (string)context.GetRouteValue("version")!;
            return StackApiGroup.IsServed(version) ? OpenApi.WriteV3DocumentAsync(context, version, ct) : throw ApiStatus.PathNotFound();
        }));
        ApiServerHost.MapMetrics(app);
        app.MapFallback(_ => throw ApiStatus.PathNotFound());
    }

    /// <summary>A read-only endpoint: GET (and HEAD) only, else 405.</summary>
    public static Task Get(HttpContext context, Func<CancellationToken, Task> handler)
        => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? handler(context.RequestAborted)
            : throw ApiStatus.MethodNotAllowed(context.Request.Method);
}
