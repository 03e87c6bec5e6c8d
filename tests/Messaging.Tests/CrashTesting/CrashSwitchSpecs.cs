using System.Diagnostics;
using OrderSystem.Messaging.CrashTesting;
using Shouldly;
using Xunit;

namespace OrderSystem.Messaging.Tests.CrashTesting;

/// <summary>
/// The switch: <c>ORDERSYSTEM_CRASH_AT=&lt;point&gt;[@&lt;n&gt;]</c>, strict about what it accepts, and compiled into Debug
/// builds of the building block only (the crash-point tests run the Debug build; services ship the Release build).
/// </summary>
public sealed class CrashSwitchSpecs
{
    private const string Symbol = "ORDERSYSTEM_CRASH_POINTS";

    [Fact]
    public void An_unset_variable_arms_nothing()
    {
        CrashSwitch.Parse(null).ShouldBeNull();
        CrashSwitch.Parse(" ").ShouldBeNull();
    }

    [Fact]
    public void A_point_fires_at_its_chosen_occurrence_and_no_other()
    {
        var armed = CrashSwitch.Parse(CrashPoints.DeliveryCommitted + "@3").ShouldNotBeNull();
        armed.Fires(CrashPoints.DeliveryRowsDeleted).ShouldBeFalse("another point does not count");
        armed.Fires(CrashPoints.DeliveryCommitted).ShouldBeFalse();
        armed.Fires(CrashPoints.DeliveryCommitted).ShouldBeFalse();
        armed.Fires(CrashPoints.DeliveryCommitted).ShouldBeTrue("the third time");
        armed.Fires(CrashPoints.DeliveryCommitted).ShouldBeFalse();
        CrashSwitch.Parse(CrashPoints.Consumed).ShouldNotBeNull().Occurrence.ShouldBe(1, "the first time by default");
    }

    [Theory]
    [InlineData("consumer-outbox.consumd")]
    [InlineData(CrashPoints.Consumed + "@0")]
    [InlineData(CrashPoints.Consumed + "@x")]
    [InlineData(CrashPoints.Consumed + "@1@2")]
    public void A_value_that_names_no_point_is_refused_rather_than_never_firing(string value) =>
        Should.Throw<FormatException>(() => CrashSwitch.Parse(value));

    [Fact]
    public void The_tests_run_a_build_with_the_crash_points_compiled_in() =>
        CrashPoint.Compiled.ShouldBeTrue("the crash-point tests need the Debug build of OrderSystem.Messaging");

    [Theory]
    [InlineData("Debug", true)]
    [InlineData("Release", false)]
    public async Task Only_a_Debug_build_of_the_building_block_defines_the_crash_point_symbol(string configuration, bool defined)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "msbuild", MessagingProject(), "-getProperty:DefineConstants", $"-p:Configuration={configuration}", "-nologo" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var msbuild = Process.Start(start)!;
        var constants = await msbuild.StandardOutput.ReadToEndAsync();
        await msbuild.WaitForExitAsync();
        msbuild.ExitCode.ShouldBe(0, await msbuild.StandardError.ReadToEndAsync());
        constants.Split(';', StringSplitOptions.TrimEntries).Contains(Symbol).ShouldBe(defined, $"{configuration}: {constants}");
    }

    private static string MessagingProject()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "src", "Messaging", "OrderSystem.Messaging.csproj");
            if (File.Exists(project)) return project;
        }

        throw new FileNotFoundException("src/Messaging/OrderSystem.Messaging.csproj above " + AppContext.BaseDirectory);
    }
}
