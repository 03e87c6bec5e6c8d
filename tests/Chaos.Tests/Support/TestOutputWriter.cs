using System.Text;
using Xunit.Abstractions;

namespace OrderSystem.Chaos.Tests.Support;

/// <summary>The driver's progress lines into the test's output (and nothing once the test is over).</summary>
internal sealed class TestOutputWriter(ITestOutputHelper output) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void WriteLine(string? value)
    {
        try
        {
            output.WriteLine(value?.TrimStart('\r') ?? "");
        }
        catch (InvalidOperationException)
        {
            // The test has finished: no output to write to.
        }
    }

    public override void Write(string? value) => WriteLine(value);
}
