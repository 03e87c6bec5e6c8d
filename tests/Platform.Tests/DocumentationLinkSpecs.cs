using System.Text;
using System.Text.RegularExpressions;
using Shouldly;
using Xunit;

namespace OrderSystem.Platform.Tests;

/// <summary>
/// The docs hold together: every relative link in every Markdown file of the repository points at a file (or folder)
/// that exists, a link to a heading (<c>file.md#heading</c>, <c>#heading</c>) points at a heading that exists, and no
/// prose points at a path on somebody's machine. Code blocks and inline code are not links and are skipped.
/// </summary>
public partial class DocumentationLinkSpecs
{
    private static readonly string Root = FindRoot();

    /// <summary>Every Markdown file of the checkout, relative to its root (build output and hidden folders left out).</summary>
    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj" or "artifacts" or "node_modules" or "TestResults" || part.StartsWith('.')))
            .Order(StringComparer.Ordinal);

    public static TheoryData<string> MarkdownFiles() => new(Files());

    [Fact]
    public void The_check_sees_the_documentation() =>
        Files().ShouldContain("docs/README.md");

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void Every_relative_link_points_at_something_that_exists(string file)
    {
        var text = Prose(File.ReadAllText(Path.Combine(Root, file)));
        var broken = new List<string>();
        foreach (var target in Links(text))
        {
            if (Scheme().IsMatch(target) || target.StartsWith("//", StringComparison.Ordinal)) continue; // http:, mailto:, …
            var hash = target.IndexOf('#');
            var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
            var anchor = hash < 0 ? null : target[(hash + 1)..];

            var resolved = path.Length == 0
                ? Path.Combine(Root, file)
                : path.StartsWith('/') ? Path.Combine(Root, path.TrimStart('/')) : Path.GetFullPath(Path.Combine(Root, Path.GetDirectoryName(file)!, path));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
                continue;
            }

            if (anchor is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !Anchors(File.ReadAllText(resolved)).Contains(anchor.ToLowerInvariant()))
                broken.Add($"{target}: no heading '#{anchor}' in {Path.GetRelativePath(Root, resolved)}");
        }

        broken.ShouldBeEmpty($"{file} has broken links:\n{string.Join("\n", broken)}");
    }

    [Theory]
    [MemberData(nameof(MarkdownFiles))]
    public void No_prose_points_at_a_path_on_somebodys_machine(string file)
    {
        var found = MachinePath().Matches(Prose(File.ReadAllText(Path.Combine(Root, file)), keepInlineCode: true))
            .Select(m => m.Value).ToList();
        found.ShouldBeEmpty($"{file} names paths outside the repository: {string.Join(", ", found)}");
    }

    [Fact]
    public void The_check_finds_a_broken_link_and_a_missing_heading()
    {
        var links = Links(Prose("See [a](missing.md), [b](README.md#nowhere) and `[c](in-code.md)`.\n```\n[d](in-block.md)\n```\n")).ToList();
        links.ShouldBe(["missing.md", "README.md#nowhere"]);
        Anchors("# Start here\n## The two commands\n## The two commands\n### Break it on purpose!\n")
            .ShouldBe(["start-here", "the-two-commands", "the-two-commands-1", "break-it-on-purpose"], ignoreOrder: true);
    }

    /// <summary>Inline links <c>[text](target "title")</c>, images, and reference definitions <c>[id]: target</c>.</summary>
    private static IEnumerable<string> Links(string prose) =>
        InlineLink().Matches(prose).Select(m => m.Groups["target"].Value)
            .Concat(ReferenceDefinition().Matches(prose).Select(m => m.Groups["target"].Value))
            .Select(t => t.Trim('<', '>'));

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        var seen = new Dictionary<string, int>();
        foreach (Match heading in Heading().Matches(Prose(markdown, keepInlineCode: true)))
        {
            var text = heading.Groups["text"].Value.Trim().ToLowerInvariant();
            var slug = new StringBuilder();
            foreach (var c in text)
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            }

            var anchor = slug.ToString();
            if (seen.TryGetValue(anchor, out var count))
            {
                seen[anchor] = count + 1;
                anchor = $"{anchor}-{count + 1}";
            }
            else seen[anchor] = 0;

            anchors.Add(anchor);
        }

        return anchors;
    }

    /// <summary>The text without fenced code blocks (and without inline code unless asked to keep it).</summary>
    private static string Prose(string markdown, bool keepInlineCode = false)
    {
        var withoutBlocks = FencedBlock().Replace(markdown.Replace("\r\n", "\n"), "\n");
        return keepInlineCode ? withoutBlocks : InlineCode().Replace(withoutBlocks, "``");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrderSystem.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException("OrderSystem.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\((?<target>[^\s)]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^\s{0,3}\[[^\]]+\]:\s+(?<target>\S+)", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(?<fence>`{3,}|~{3,})[^\n]*\n.*?^\k<fence>[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"`[^`\n]+`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"(?<![\w.])(?:/work/|/home/|/Users/|[A-Z]:\\Users\\)\S*")]
    private static partial Regex MachinePath();
}
