using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.ApiServer.Http;

namespace Berth.ApiServer.Security;

/// <summary>
/// The NamespaceLifecycle admission plugin, in delegated mode
/// (AS/pkg/admission/plugin/namespace/lifecycle/admission.go): creates, updates and patches of stacks need their
/// namespace to exist in the cluster (404 <c>namespaces "x" not found</c>), and nothing new is created in a
/// namespace being terminated (403). Deletes and reads always pass. The plugin reads a Namespace informer and
/// looks a namespace it does not know up live; without an informer, a namespace seen is trusted for a few
/// seconds and one not found is looked up again every time, so a namespace just created is found at once.
/// </summary>
internal sealed class NamespaceLifecycle(ClusterClient cluster, TimeProvider time)
{
    // Whether each namespace seen is terminating; bounded like the authorizer's cache.
    private readonly DecisionCache<bool> _terminating = new(TimeSpan.FromSeconds(5), time);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<RequestInfo>() is { IsResourceRequest: true, Namespace.Length: > 0, Verb: "create" or "update" or "patch" } info)
        {
            await AdmitAsync(context, info, context.RequestAborted).ConfigureAwait(false);
        }

        await next(context).ConfigureAwait(false);
    }

    private async Task AdmitAsync(HttpContext context, RequestInfo info, CancellationToken cancellationToken)
    {
        if (!_terminating.TryGet(info.Namespace, out var terminating))
        {
            JsonObject? ns;
            try
            {
                ns = await cluster.GetAsync($"api/v1/namespaces/{Uri.EscapeDataString(info.Namespace)}", cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw ApiStatus.Internal(e.Message);
            }

            if (ns is null)
            {
                throw new ApiException(404, "NotFound", $"namespaces \"{info.Namespace}\" not found", new JsonObject { ["name"] = info.Namespace, ["kind"] = "namespaces" });
            }

            terminating = ns["status"]?["phase"]?.ToString() == "Terminating";
            _terminating.Set(info.Namespace, terminating);
        }

        if (terminating && info.Verb == "create")
        {
            // admission.NewForbidden names the object being created: for a create that is the body's name.
            var name = info.Name.Length > 0 ? info.Name : await NameInBodyAsync(context.Request, cancellationToken).ConfigureAwait(false);
            var subject = $"{info.Resource}.{info.ApiGroup}" + (name.Length > 0 ? $" \"{name}\"" : string.Empty);
            var details = new JsonObject { ["name"] = name, ["group"] = info.ApiGroup, ["kind"] = info.Resource };
            details["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {info.Namespace} is being terminated", ["field"] = "metadata.namespace" });
            throw new ApiException(403, "Forbidden", $"{subject} is forbidden: unable to create new content in namespace {info.Namespace} because it is being terminated", details);
        }
    }

    // Read without consuming it: the handler reads the body again.
    private static async Task<string> NameInBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return body?["metadata"]?["name"]?.ToString() ?? string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
        finally
        {
            request.Body.Position = 0;
        }
    }
}
