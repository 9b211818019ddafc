using System.Text.Json.Nodes;
using Berth.ApiServer.Http;
using Berth.ApiServer.Policy;

namespace Berth.ApiServer.Webhooks;

/// <summary>
/// The webhooks kube-apiserver calls in CRD mode: POST /webhooks/stacks/validate, /webhooks/stacks/mutate (admission)
/// and /webhooks/stacks/convert (conversion). kube-apiserver calls webhooks over TLS without credentials unless an
/// admission kubeconfig says otherwise, so these paths are not authenticated; they only compute an answer from the
/// review they are sent and never write.
/// </summary>
internal static class WebhookEndpoints
{
    public const string Prefix = "/webhooks/";
    public const string ValidatePath = "/webhooks/stacks/validate";
    public const string MutatePath = "/webhooks/stacks/mutate";
    public const string ConvertPath = "/webhooks/stacks/convert";

    public static void Map(WebApplication app, StackCollisions? collisions, StackPolicyAdmission? policy)
    {
        var admission = new StackAdmission(collisions, policy);
        app.MapPost(ValidatePath, Handler((review, ct) => admission.ValidateAsync(AdmissionRequest.Parse(review), ct)));
        app.MapPost(MutatePath, Handler((review, _) => Task.FromResult(StackAdmission.Mutate(AdmissionRequest.Parse(review)))));
        app.MapPost(ConvertPath, Handler((review, _) => Task.FromResult(StackConversionWebhook.Convert(review))));
    }

    private static RequestDelegate Handler(Func<JsonObject, CancellationToken, Task<JsonObject>> answer) => context => AnswerAsync(context, answer);

    private static async Task AnswerAsync(HttpContext context, Func<JsonObject, CancellationToken, Task<JsonObject>> answer)
    {
        var ct = context.RequestAborted;
        var body = await HttpBodies.ReadAsync(context.Request, ct).ConfigureAwait(false);
        var review = HttpBodies.ParseObject(body, "review");
        await HttpBodies.WriteJsonAsync(context, 200, await answer(review, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
    }
}
