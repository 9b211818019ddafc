namespace Berth.Console.Hosting;

/// <summary>
/// Browser security headers on every answer, after the Aspire Dashboard's BrowserSecurityHeadersMiddleware, tightened:
/// scripts only from the console itself, no framing, forms only to the console.
/// </summary>
internal static class SecurityHeaders
{
    // style-src 'unsafe-inline': the code editor (CodeMirror) injects <style> elements.
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        });
        await next(context).ConfigureAwait(false);
    });
}
