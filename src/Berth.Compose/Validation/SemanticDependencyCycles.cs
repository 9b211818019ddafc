using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Finds depends_on cycles (a service depending on itself included); compose cannot order their start-up.</summary>
internal static class SemanticDependencyCycles
{
    private enum Mark
    {
        Unvisited,
        InProgress,
        Done,
    }

    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        // Edges in file order, to known services only: unknown ones are reported by the reference checks.
        var edges = project.Services.ToDictionary(
            s => s.Name,
            s => s.Definition["depends_on"] is MappingNode deps
                ? deps.Entries.Where(e => project.ServiceNames.Contains(e.Name)).ToList()
                : [],
            StringComparer.Ordinal);
        var marks = project.Services.ToDictionary(s => s.Name, _ => Mark.Unvisited, StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<string>();

        foreach (var service in project.Services)
        {
            Visit(service.Name);
        }

        void Visit(string name)
        {
            if (marks[name] != Mark.Unvisited)
            {
                return;
            }

            marks[name] = Mark.InProgress;
            stack.Add(name);
            foreach (var edge in edges[name])
            {
                if (marks[edge.Name] == Mark.InProgress)
                {
                    Report(name, edge);
                }
                else
                {
                    Visit(edge.Name);
                }
            }

            stack.RemoveAt(stack.Count - 1);
            marks[name] = Mark.Done;
        }

        void Report(string from, MappingEntry edge)
        {
            var cycle = stack.Skip(stack.LastIndexOf(edge.Name)).Append(edge.Name).ToList();

            // The same cycle can be closed from several places; report it once, whatever its starting point.
            var members = cycle.Take(cycle.Count - 1).ToList();
            var smallest = members.IndexOf(members.Min(StringComparer.Ordinal)!);
            var key = string.Join('\0', members.Skip(smallest).Concat(members.Take(smallest)));
            if (!reported.Add(key))
            {
                return;
            }

            var text = string.Join(" -> ", cycle);
            diagnostics.Error(
                DiagnosticCodes.DependencyCycle,
                cycle.Count == 2 ? $"service '{from}' depends on itself: {text}" : $"dependency cycle detected: {text}",
                edge.Key.Location,
                $"services.{from}.depends_on.{edge.Name}",
                "remove one of the depends_on entries that form the cycle (links, volumes_from and 'service:' namespaces count as dependencies too)");
        }
    }
}
