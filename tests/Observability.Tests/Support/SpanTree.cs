using System.Diagnostics;
using System.Text;

namespace OrderSystem.Observability.Tests.Support;

/// <summary>A trace's spans as an indented tree, one line per span: [service] name (kind, source); runs of alike leaves as one line with their count.</summary>
public static class SpanTree
{
    public static string Render(IReadOnlyList<CapturedSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var children = spans.Where(s => s.ParentSpanId != default && ids.Contains(s.ParentSpanId))
            .ToLookup(s => s.ParentSpanId);
        var text = new StringBuilder();
        foreach (var root in spans.Where(s => s.ParentSpanId == default || !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Start))
            Write(root, 0);
        return text.ToString();

        void Write(CapturedSpan span, int depth)
        {
            text.Append(' ', depth * 2)
                .Append('[').Append(span.Service).Append("] ")
                .Append(span.Name)
                .Append(" (").Append(span.Kind.ToString().ToLowerInvariant()).Append(", ").Append(span.Source).Append(')');
            if (span.ParentSpanId != default && !ids.Contains(span.ParentSpanId)) text.Append(" PARENT MISSING");
            if (span.Links.Count > 0) text.Append(" links=").Append(span.Links.Count);
            text.AppendLine();
            // Runs of alike leaves (the database commands of one step) are written once, with their count.
            var ordered = children[span.SpanId].OrderBy(c => c.Start).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                var child = ordered[i];
                var run = 1;
                while (IsLeaf(child) && i + run < ordered.Count && IsLeaf(ordered[i + run]) && Alike(child, ordered[i + run])) run++;
                if (run == 1)
                {
                    Write(child, depth + 1);
                    continue;
                }

                text.Append(' ', (depth + 1) * 2).Append('[').Append(child.Service).Append("] ").Append(child.Name)
                    .Append(" (").Append(child.Kind.ToString().ToLowerInvariant()).Append(", ").Append(child.Source).Append(") x").Append(run).AppendLine();
                i += run - 1;
            }
        }

        bool IsLeaf(CapturedSpan span) => !children[span.SpanId].Any();

        static bool Alike(CapturedSpan a, CapturedSpan b) => a.Service == b.Service && a.Name == b.Name && a.Source == b.Source && a.Kind == b.Kind;
    }
}
