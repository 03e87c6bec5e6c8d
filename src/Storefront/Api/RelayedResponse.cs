using System.Net;

namespace OrderSystem.Storefront.Api;

/// <summary>
/// An upstream service's answer, passed on as it came: status, <c>Content-Type</c>, <c>Location</c> and body (a
/// ProblemDetails from Ordering reaches the page unchanged, so the page shows the service's own words).
/// </summary>
public sealed class RelayedResponse(HttpResponseMessage upstream) : IResult
{
    public HttpStatusCode StatusCode => upstream.StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var _ = upstream;
        var response = httpContext.Response;
        response.StatusCode = (int)upstream.StatusCode;
        if (upstream.Headers.Location is { } location) response.Headers.Location = "/api" + location.OriginalString;
        if (upstream.Content.Headers.ContentType is { } contentType) response.ContentType = contentType.ToString();
        await upstream.Content.CopyToAsync(response.Body, httpContext.RequestAborted);
    }
}
