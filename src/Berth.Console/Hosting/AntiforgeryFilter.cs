using Microsoft.AspNetCore.Antiforgery;

namespace Berth.Console.Hosting;

/// <summary>
/// The antiforgery check for form posts that bind no form field (sign-out, disable, unlock): the antiforgery middleware
/// only records its verdict, and only form binding acts on it, so such a post would otherwise go through unchecked.
/// </summary>
internal static class AntiforgeryFilter
{
    /// <summary>Refuses with 400 unless the middleware found a valid token; no verdict at all is refused too (fail closed).</summary>
    public static TBuilder RequireValidAntiforgeryToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder
            .WithMetadata(new RequireAntiforgeryTokenAttribute(required: true))
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
                    ? await next(context).ConfigureAwait(false)
                    : Results.BadRequest());
}
