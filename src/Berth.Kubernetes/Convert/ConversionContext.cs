using System.Collections.Immutable;
using Berth.Compose;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Fidelity;
using Berth.Kubernetes.Convert.Model;
using Berth.Stacks;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>The state of one conversion: inputs, the objects made so far, names claimed, diagnostics and fidelity.</summary>
internal sealed class ConversionContext
{
    private readonly List<IKubernetesObject<V1ObjectMeta>> _objects = [];
    private readonly NameRegistry _names = new();
    private ILookup<string, (string Alias, SourceLocation Location)>? _linkAliases;
    private ImmutableSortedDictionary<string, string>? _stackLabels;

    public ConversionContext(ComposeProject project, KubernetesConvertOptions options)
    {
        Project = project;
        Options = options;
        Stack = StackName.For(project.Name, options.StackName);
        Fidelity = new FidelityRecorder(Diagnostics);
    }

    public ComposeProject Project { get; }

    public KubernetesConvertOptions Options { get; }

    public string Stack { get; }

    public string Namespace => Options.Namespace;

    public DiagnosticBag Diagnostics { get; } = new();

    public FidelityRecorder Fidelity { get; }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects => _objects;

    public void Add(IKubernetesObject<V1ObjectMeta> obj) => _objects.Add(obj);

    /// <summary>
    /// The <c>links</c> entries "service:alias" of every service (in service-name order), by the linked service.
    /// Built once: scanning every service's links for every service was quadratic on large projects.
    /// </summary>
    public ILookup<string, (string Alias, SourceLocation Location)> LinkAliases => _linkAliases ??= ReadLinkAliases(Project);

    /// <summary>
    /// Claims an object name; two different inputs that convert to one name are an error, never merged.
    /// Returns false on a collision.
    /// </summary>
    public bool Claim(string kind, string name, string owner, SourceLocation location, string yamlPath)
    {
        var other = _names.Claim(kind, name, owner);
        if (other is null)
        {
            return true;
        }

        Diagnostics.Error(
            KubernetesDiagnosticCodes.NameCollision,
            $"{owner} and {other} both become the {kind} '{name}'",
            location,
            yamlPath,
            "rename one of them; Kubernetes names are lower case and allow only letters, digits and '-'");
        return false;
    }

    /// <summary>Labels every object of the stack carries (without service-specific ones); built once per conversion.</summary>
    public ImmutableSortedDictionary<string, string> StackLabels()
        => _stackLabels ??= ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create(Berth.Stacks.StackLabels.StackNamespace, Stack),
            KeyValuePair.Create(Berth.Stacks.StackLabels.AppPartOf, Stack),
            KeyValuePair.Create(Berth.Stacks.StackLabels.AppManagedBy, Berth.Stacks.StackLabels.ManagedByBerth),
        ]);

    public V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? annotations = null)
        => new()
        {
            Name = name,
            NamespaceProperty = Namespace,
            Labels = Sorted(labels ?? StackLabels()),
            Annotations = annotations is { Count: > 0 } ? Sorted(annotations) : null,
        };

    /// <summary>A dictionary filled in key order: serialisers write insertion order, so output is stable.</summary>
    /// <remarks>
    /// Called for every object's labels and selectors: sorted by hand rather than with LINQ's <c>OrderBy</c> (its
    /// sorter, key buffer and iterator for every call showed in start-up profiles), and a sorted dictionary with
    /// ordinal keys (the stack labels, a unit's selector and labels) is already in order. Among equal keys the last
    /// one wins, as before.
    /// </remarks>
    public static Dictionary<string, string> Sorted(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        if (pairs is ImmutableSortedDictionary<string, string> sorted && ReferenceEquals(sorted.KeyComparer, StringComparer.Ordinal))
        {
            var copy = new Dictionary<string, string>(sorted.Count, StringComparer.Ordinal);
            foreach (var pair in sorted)
            {
                copy[pair.Key] = pair.Value;
            }

            return copy;
        }

        var entries = new List<KeyValuePair<string, string>>(pairs);
        var order = new int[entries.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Stable: ties keep input order, so the last of equal keys is written last.
        Array.Sort(order, (a, b) => string.CompareOrdinal(entries[a].Key, entries[b].Key) is var byKey && byKey != 0 ? byKey : a.CompareTo(b));
        var result = new Dictionary<string, string>(entries.Count, StringComparer.Ordinal);
        foreach (var index in order)
        {
            result[entries[index].Key] = entries[index].Value;
        }

        return result;
    }

    private static ILookup<string, (string Alias, SourceLocation Location)> ReadLinkAliases(ComposeProject project)
    {
        var links = new List<(string Target, string Alias, SourceLocation Location)>();
        foreach (var service in Ordering.Stable(project.Services.Entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name)))
        {
            if (service.Value is MappingNode node && node.Seq("links") is { } list)
            {
                foreach (var link in list.Items.OfType<ScalarNode>())
                {
                    var parts = link.AsString().Split(':', 2);
                    if (parts.Length == 2)
                    {
                        links.Add((parts[0], parts[1], link.Location));
                    }
                }
            }
        }

        return links.ToLookup(l => l.Target, l => (l.Alias, l.Location), StringComparer.Ordinal);
    }
}
