using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using ValidationProblemDetails = Microsoft.AspNetCore.Http.HttpValidationProblemDetails;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Turns a request the endpoint could not even bind (malformed JSON, a value of the wrong type or out of range, an
/// unknown field, no body, not JSON, an unparsable query value) into a ProblemDetails that names the field by its JSON
/// path and says what was expected, in the words of the API, never of .NET (no type names, no stack). It is the
/// client's mistake, so it is logged as information, in one line. Anything else is left to the 500 handler.
/// <para>
/// Minimal APIs throw <see cref="BadHttpRequestException"/> for these only when
/// <see cref="RouteHandlerOptions.ThrowOnBadRequest"/> is set (otherwise they answer an empty 400 and log at debug level),
/// so <see cref="RequestProblemExtensions.AddRequestProblemDetails"/> sets it in every environment.
/// </para>
/// </summary>
internal sealed partial class RequestProblemHandler(IProblemDetailsService problemDetails, IOptions<JsonOptions> json, ILogger<RequestProblemHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad) return false;

        var (status, title, errors) = Describe(httpContext, bad);
        logger.LogInformation("Rejected {Method} {Path} with {Status}: {Problems}", httpContext.Request.Method, httpContext.Request.Path, status,
            string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ValidationProblemDetails(errors) { Status = status, Title = title },
        });
    }

    /// <summary>
    /// A body that is not JSON gets a bare 415 from the endpoint (it does not throw, even with ThrowOnBadRequest), which
    /// the status-code pages turn into a ProblemDetails: this says what to send instead (set as
    /// <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>).
    /// </summary>
    public static void NameTheContentType(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status415UnsupportedMediaType || context.ProblemDetails is HttpValidationProblemDetails) return;
        var (_, title, errors) = UnsupportedMediaType(context.HttpContext);
        context.ProblemDetails.Title = title;
        context.ProblemDetails.Extensions["errors"] = errors;
        context.HttpContext.RequestServices.GetRequiredService<ILogger<RequestProblemHandler>>().LogInformation(
            "Rejected {Method} {Path} with {Status}: {Problems}", context.HttpContext.Request.Method, context.HttpContext.Request.Path,
            StatusCodes.Status415UnsupportedMediaType, errors["Content-Type"][0]);
    }

    private static (int Status, string Title, Dictionary<string, string[]> Errors) UnsupportedMediaType(HttpContext httpContext)
    {
        var got = string.IsNullOrEmpty(httpContext.Request.ContentType) ? "no Content-Type" : $"Content-Type '{httpContext.Request.ContentType}'";
        return (StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON.",
            new() { ["Content-Type"] = [$"Send the body as JSON with 'Content-Type: application/json' (got {got})."] });
    }

    private (int Status, string Title, Dictionary<string, string[]> Errors) Describe(HttpContext httpContext, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType) return UnsupportedMediaType(httpContext);

        if (bad.InnerException is JsonException jsonError)
        {
            // A syntax error is about the document (its position says where); a type error about one field.
            var field = IsSyntaxError(jsonError) ? "$" : FieldOf(jsonError.Path);
            return (StatusCodes.Status400BadRequest, "The request body is not valid JSON for this endpoint.",
                new() { [field] = [Explain(httpContext, jsonError)] });
        }

        if (bad.Message.Contains("body", StringComparison.Ordinal) && httpContext.Request.ContentLength is null or 0)
        {
            return (StatusCodes.Status400BadRequest, "The request body is missing.", new() { ["$"] = ["A JSON body is required."] });
        }

        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            return (StatusCodes.Status400BadRequest, "A parameter has an invalid value.",
                new() { [bind.Groups["name"].Value] = [$"'{bind.Groups["value"].Value}' is not a valid {Describe(bind.Groups["type"].Value)}."] });
        }

        if (RequiredParameter().Match(bad.Message) is { Success: true } required)
            return (StatusCodes.Status400BadRequest, "A required parameter is missing.", new() { [required.Groups["name"].Value] = ["A value is required."] });

        return (bad.StatusCode, "The request could not be read.", new() { ["$"] = ["The request is malformed."] });
    }

    /// <summary>STJ's path (<c>$.lines[0].quantity</c>) in the form the validation errors use (<c>lines[0].quantity</c>).</summary>
    private static string FieldOf(string? path) => path is null or "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private string Explain(HttpContext httpContext, JsonException error)
    {
        if (IsUnknownField(error))
            return "Unknown field: this endpoint does not accept it (check its spelling against the API's schema).";

        if (IsConversionError(error))
        {
            var target = TargetType(httpContext, error.Path);
            return target is null ? "The value has the wrong type." : $"Expected {Describe(target)}.";
        }

        if (IsSyntaxError(error))
        {
            var position = error.LineNumber is { } line ? $" (line {line + 1}, position {error.BytePositionInLine + 1})" : "";
            return "Malformed JSON" + position + ": " + ReaderReason(error);
        }

        return "The value is not valid here.";
    }

    /// <summary>The reader's errors (not JSON at all, truncated, a stray character) carry the reader's exception.</summary>
    private static bool IsSyntaxError(JsonException error) =>
        error.InnerException is not null && !IsConversionError(error) && !IsUnknownField(error);

    // System.Text.Json has no error codes: its messages (English, stable across releases) tell the kinds apart.
    // BadRequests_Specs has a case for each, so a runtime that words them differently fails the tests, not the clients.
    private static bool IsConversionError(JsonException error) =>
        error.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal);

    private static bool IsUnknownField(JsonException error) =>
        error.Message.StartsWith("The JSON property", StringComparison.Ordinal) && error.Message.Contains("could not be mapped", StringComparison.Ordinal);

    /// <summary>The reader's own sentence ("'n' is an invalid start of a value."), without its position suffix.</summary>
    private static string ReaderReason(JsonException error)
    {
        var text = error.InnerException?.Message ?? error.Message;
        var cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = text.IndexOf(" Path:", StringComparison.Ordinal);
        text = (cut >= 0 ? text[..cut] : text).Trim();
        return TypeName().IsMatch(text) ? "the body cannot be parsed." : text;
    }

    /// <summary>The .NET type the endpoint expected at <paramref name="path"/>, found by walking the body's type.</summary>
    private Type? TargetType(HttpContext httpContext, string? path)
    {
        // The exception handler middleware has cleared the endpoint by now; its feature keeps the one that failed.
        var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
        var bodyType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (bodyType is null || path is null) return null;
        var comparison = json.Value.SerializerOptions.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var type = bodyType;
        foreach (Match segment in PathSegment().Matches(path))
        {
            if (segment.Groups["index"].Success)
            {
                type = ElementType(type);
            }
            else
            {
                var name = segment.Groups["name"].Value;
                type = type?.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => string.Equals(json.Value.SerializerOptions.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, name, comparison))
                    ?.PropertyType;
            }

            if (type is null) return null;
        }

        return type;
    }

    private static Type? ElementType(Type? type)
    {
        if (type is null) return null;
        if (type.IsArray) return type.GetElementType();
        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return $"a whole number from {int.MinValue} to {int.MaxValue}";
        if (type == typeof(long)) return $"a whole number from {long.MinValue} to {long.MaxValue}";
        if (type == typeof(decimal) || type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type == typeof(Guid)) return "a UUID string";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "an ISO 8601 date and time string";
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type)) return "an array";
        return "an object";
    }

    /// <summary>The C# keyword in a binding failure ("Failed to bind parameter \"int page\" …") in the API's words.</summary>
    private static string Describe(string keyword) => keyword switch
    {
        "int" or "int?" => "whole number",
        "long" or "long?" => "whole number",
        "Guid" or "Guid?" => "UUID",
        "bool" or "bool?" => "true or false",
        _ => "value",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>[^"]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    [GeneratedRegex("""^Required parameter "\S+ (?<name>[^"]+)" was not provided""")]
    private static partial Regex RequiredParameter();

    [GeneratedRegex("""\.(?<name>[^.\[]+)|\[(?<index>\d+)\]""")]
    private static partial Regex PathSegment();

    [GeneratedRegex("""System\.|OrderSystem\.""")]
    private static partial Regex TypeName();
}
