using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OrderSystem.Ordering.Tests.Api;

/// <summary>
/// Requests the endpoint cannot even bind (JSON syntax and type errors, unknown fields, no body, not JSON) answer a
/// ProblemDetails naming the field by its JSON path, in the API's words (no .NET type names, no stack), and are logged as
/// the client's mistake: one information line, no error and no stack trace.
/// </summary>
public class BadRequests_Specs(OrderingApiFixture service) : IClassFixture<OrderingApiFixture>
{
    public static TheoryData<string, string, string, string> BadBodies => new()
    {
        // name, body, the field named, words the explanation contains
        { "malformed", """{"customerId":"alice","lines":[{"sku":"A","quantity":1}""", "$", "Malformed JSON" },
        { "not json", "not json at all", "$", "Malformed JSON (line 1, position" },
        { "trailing garbage", """{"customerId":"alice","lines":[]} x""", "$", "Malformed JSON" },
        { "string for a number", """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantity":"two"}]}""", "lines[0].quantity", "Expected a whole number from -2147483648 to 2147483647." },
        { "integer overflow", """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantity":99999999999}]}""", "lines[0].quantity", "Expected a whole number from -2147483648 to 2147483647." },
        { "fraction", """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantity":1.5}]}""", "lines[0].quantity", "Expected a whole number" },
        { "number for a string", """{"customerId":42,"lines":[{"sku":"KEYBOARD-01","quantity":1}]}""", "customerId", "Expected a string." },
        { "object for an array", """{"customerId":"alice","lines":{"sku":"KEYBOARD-01","quantity":1}}""", "lines", "Expected an array." },
        { "array for the body", """[{"customerId":"alice"}]""", "$", "Expected an object." },
        { "unknown field", """{"customerId":"alice","lines":[{"sku":"KEYBOARD-01","quantiy":1}]}""", "lines[0].quantiy", "Unknown field" },
        { "unknown top-level field", """{"customerId":"alice","coupon":"X","lines":[{"sku":"KEYBOARD-01","quantity":1}]}""", "coupon", "Unknown field" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Should_answer_400_naming_the_json_path_and_what_was_expected(string name, string body, string field, string explanation)
    {
        var response = await service.Client.PostAsync("/orders", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemOf(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty(field, out var messages).ShouldBeTrue($"{name}: errors should name '{field}': {problem}");
        messages[0].GetString()!.ShouldContain(explanation, Case.Sensitive, $"{name}: {problem}");
        ShouldNotLeakInternals(problem);
    }

    [Fact]
    public async Task Should_answer_400_when_the_body_is_missing()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent("", Encoding.UTF8, "application/json"));

        var problem = await ProblemOf(response, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("$")[0].GetString().ShouldBe("A JSON body is required.");
        ShouldNotLeakInternals(problem);
    }

    [Fact]
    public async Task Should_answer_415_naming_the_content_type_when_the_body_is_not_json()
    {
        var response = await service.Client.PostAsync("/orders", new StringContent("""{"customerId":"alice"}""", Encoding.UTF8, "text/plain"));

        var problem = await ProblemOf(response, HttpStatusCode.UnsupportedMediaType);
        problem.GetProperty("errors").GetProperty("Content-Type")[0].GetString()!.ShouldContain("'Content-Type: application/json' (got Content-Type 'text/plain");
        ShouldNotLeakInternals(problem);
    }

    [Fact]
    public async Task Should_answer_400_naming_a_query_parameter_that_is_not_a_number()
    {
        var response = await service.Client.GetAsync("/orders?page=two");

        var problem = await ProblemOf(response, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").GetProperty("page")[0].GetString().ShouldBe("'two' is not a valid whole number.");
    }

    [Fact]
    public async Task Should_log_a_bad_body_as_information_without_an_error_or_a_stack_trace()
    {
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        var response = await service.Client.PostAsync("/orders",
            new StringContent($$"""{"customerId":"alice","lines":[{"sku":"{{marker}}","quantity":"two"}]}""", Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var logs = service.Logs.All;
        var rejected = logs.Where(l => l.Category.EndsWith("RequestProblemHandler", StringComparison.Ordinal) && l.Message.Contains("lines[0].quantity")).ToList();
        rejected.ShouldNotBeEmpty();
        rejected.ShouldAllBe(l => l.Level == LogLevel.Information && l.Exception == null);
        logs.Where(l => l.Level >= LogLevel.Warning).ShouldBeEmpty(string.Join("\n", logs.Where(l => l.Level >= LogLevel.Warning)));
    }

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        return problem;
    }

    private static void ShouldNotLeakInternals(JsonElement problem)
    {
        var text = problem.ToString();
        foreach (var leak in new[] { "System.", "OrderSystem.", "Exception", "   at ", "Int32", "SubmitOrder" })
            text.ShouldNotContain(leak, Case.Sensitive, $"the problem should not show '{leak}': {text}");
    }
}
