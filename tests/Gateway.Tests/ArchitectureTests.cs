using System.Text.RegularExpressions;
using Gateway.Hosting;
using Gateway.Tests.Infrastructure;
using NetArchTest.Rules;

namespace Gateway.Tests;

/// <summary>
/// The folders under gateway/ (one namespace each) depend on each other in one direction only: a folder may use the
/// folders listed before it, never one listed after it. README "Architecture" explains the order.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Lowest first. A new folder must be placed here, where its dependencies allow.</summary>
    public static readonly string[] Layers =
    [
        "Observability",
        "Paths",
        "Errors",
        "Configuration",
        "Ingress",
        "IdentityProvider",
        "Sessions",
        "Authentication",
        "Authorization",
        "Assertions",
        "Proxy",
        "ForwardAuth",
        "Endpoints",
        "Health",
        "CognitoCheck",
        "Hosting",
    ];

    private static readonly System.Reflection.Assembly GatewayAssembly = typeof(GatewayApp).Assembly;

    [Fact]
    public void Architecture_EveryFolderHasALayer()
    {
        var folders = GatewayAssembly.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns is not null && ns.StartsWith("Gateway.", StringComparison.Ordinal))
            .Select(ns => ns!["Gateway.".Length..].Split('.')[0])
            .Distinct()
            .ToList();
        var unlisted = folders.Except(Layers).ToList();
        Assert.True(unlisted.Count == 0, $"Folders without a layer in ArchitectureTests.Layers: {string.Join(", ", unlisted)}");
        Assert.Empty(Layers.Except(folders));
    }

    /// <summary>Every pair of layers: the lower one has no dependency (in compiled code) on the higher one.</summary>
    [Fact]
    public void Architecture_NoFolderDependsOnAHigherOne()
    {
        var backEdges = new List<string>();
        foreach (var (from, to, types) in CompiledEdges())
        {
            if (Array.IndexOf(Layers, from) < Array.IndexOf(Layers, to))
            {
                backEdges.Add($"{from} → {to} (in {string.Join(", ", types)})");
            }
        }

        Assert.True(backEdges.Count == 0, "Dependencies on a higher layer:\n" + string.Join("\n", backEdges));
    }

    /// <summary>
    /// The same rule for what compiled code cannot show: constants (e.g. a scheme name) are copied into the caller, so
    /// a <c>using Gateway.X;</c> or a <c>X.Type</c> reference in the source counts as a dependency too.
    /// </summary>
    [Fact]
    public void Architecture_NoSourceFileUsesAHigherFolder()
    {
        var root = Path.GetDirectoryName(RepositoryFiles.Find("gateway/Gateway.csproj"))!;
        var backEdges = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            var folder = relative.Split(Path.DirectorySeparatorChar)[0];
            if (Array.IndexOf(Layers, folder) < 0)
            {
                continue; // Program.cs, obj/
            }

            var code = string.Join('\n', File.ReadAllLines(file).Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            foreach (var higher in Layers.Skip(Array.IndexOf(Layers, folder) + 1))
            {
                if (Regex.IsMatch(code, $@"\busing Gateway\.{higher};|(?<![\w.])(Gateway\.)?{higher}\.[A-Z]"))
                {
                    backEdges.Add($"{relative} uses {higher}");
                }
            }
        }

        Assert.True(backEdges.Count == 0, "Source files that use a higher layer:\n" + string.Join("\n", backEdges));
    }

    [Fact]
    public void Architecture_NoCycleBetweenFolders()
    {
        var edges = CompiledEdges().ToLookup(e => e.From, e => e.To);
        Assert.NotEmpty(edges); // the scan sees dependencies at all
        foreach (var start in Layers)
        {
            // Depth-first from each folder: reaching it again is a cycle.
            var path = new Stack<string>();
            var cycle = FindCycle(start, start, edges, path, []);
            Assert.True(cycle is null, $"Cycle between folders: {cycle}");
        }
    }

    private static string? FindCycle(string start, string current, ILookup<string, string> edges, Stack<string> path, HashSet<string> seen)
    {
        path.Push(current);
        foreach (var next in edges[current])
        {
            if (next == start)
            {
                return string.Join(" → ", path.Reverse().Append(start));
            }

            if (seen.Add(next) && FindCycle(start, next, edges, path, seen) is { } cycle)
            {
                return cycle;
            }
        }

        path.Pop();
        return null;
    }

    /// <summary>Folder → folder dependencies of the compiled gateway (and the types that have them), found by NetArchTest.</summary>
    private static List<(string From, string To, string[] Types)> CompiledEdges()
    {
        lock (EdgeCache)
        {
            if (EdgeCache.Count == 0)
            {
                foreach (var from in Layers)
                {
                    foreach (var to in Layers.Where(to => to != from))
                    {
                        var result = Types.InAssembly(GatewayAssembly).That().ResideInNamespace("Gateway." + from)
                            .ShouldNot().HaveDependencyOnAny("Gateway." + to).GetResult();
                        if (!result.IsSuccessful)
                        {
                            EdgeCache.Add((from, to, result.FailingTypes.Select(t => t.Name).Distinct().Take(5).ToArray()));
                        }
                    }
                }
            }

            return EdgeCache;
        }
    }

    private static readonly List<(string From, string To, string[] Types)> EdgeCache = [];
}
