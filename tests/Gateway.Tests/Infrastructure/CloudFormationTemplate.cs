using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>A template as CloudFormation would create it for one parameter set: the resources that exist with resolved properties, the outputs, and the failed rules/parameter constraints.</summary>
public sealed record SynthesizedStack(Dictionary<string, JsonObject> Resources, Dictionary<string, string> Outputs, List<string> Errors)
{
    /// <summary>The resolved properties of the one resource with this logical id; fails the test when it does not exist.</summary>
    public JsonObject Properties(string logicalId)
    {
        Assert.True(Resources.ContainsKey(logicalId), $"resource {logicalId} is not created; created: {string.Join(", ", Resources.Keys)}");
        return Resources[logicalId]["Properties"]!.AsObject();
    }

    public IEnumerable<(string Id, JsonObject Properties)> OfType(string type) =>
        Resources.Where(r => (string?)r.Value["Type"] == type).Select(r => (r.Key, r.Value["Properties"]!.AsObject()));
}

/// <summary>
/// Offline stand-in for CloudFormation's template processing, enough for deploy/cognito: parameters (defaults,
/// AllowedValues, AllowedPattern, Min/MaxValue, CommaDelimitedList), Rules, Conditions, and the intrinsic functions
/// Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Split, Fn::Select, Fn::If, Fn::Equals/Not/And/Or and AWS::NoValue.
/// A function it does not know fails the test, so the template cannot use one untested.
/// </summary>
public sealed class CloudFormationTemplate(JsonObject root)
{
    public const string Region = "eu-west-1";
    public const string PoolIdPlaceholder = Region + "_SynthPool1";
    public const string ClientIdPlaceholder = "synthclientid0123456789abcd";

    public JsonObject Root { get; } = root;

    public static CloudFormationTemplate Load(string relativePath) =>
        new(JsonNode.Parse(File.ReadAllText(RepositoryFiles.Find(relativePath)))!.AsObject());

    public SynthesizedStack Synthesize(Dictionary<string, string> parameterValues) => new Run(Root, parameterValues).Synthesize();

    private sealed class Run
    {
        private static readonly JsonNode NoValue = JsonValue.Create("<<AWS::NoValue>>");
        private readonly JsonObject root;
        private readonly Dictionary<string, JsonNode> parameters = [];
        private readonly Dictionary<string, bool> conditions = [];
        private readonly List<string> errors = [];

        public Run(JsonObject root, Dictionary<string, string> values)
        {
            this.root = root;
            foreach (var name in values.Keys)
            {
                Assert.True(Section("Parameters").ContainsKey(name), $"the template has no parameter {name}");
            }

            foreach (var (name, node) in Section("Parameters"))
            {
                var p = node!.AsObject();
                var value = values.TryGetValue(name, out var given) ? given : p["Default"]?.ToString();
                if (value is null)
                {
                    errors.Add($"parameter {name} needs a value");
                    continue;
                }

                var type = (string)p["Type"]!;
                if (p["AllowedValues"] is JsonArray allowed && !allowed.Select(a => a!.ToString()).Contains(value))
                {
                    errors.Add($"parameter {name}: '{value}' is not one of the allowed values");
                }

                if (p["AllowedPattern"] is { } pattern && type == "String" && !Regex.IsMatch(value, "^(?:" + pattern + ")$"))
                {
                    errors.Add($"parameter {name}: '{value}' does not match {pattern}");
                }

                if (type == "Number")
                {
                    var number = double.Parse(value, CultureInfo.InvariantCulture);
                    if ((p["MinValue"] is { } min && number < (double)min) || (p["MaxValue"] is { } max && number > (double)max))
                    {
                        errors.Add($"parameter {name}: {value} is out of range");
                    }
                }

                parameters[name] = type switch
                {
                    "CommaDelimitedList" => new JsonArray(value.Split(',').Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                    "Number" => JsonNode.Parse(decimal.Parse(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))!,
                    _ => JsonValue.Create(value),
                };
            }
        }

        public SynthesizedStack Synthesize()
        {
            foreach (var (name, node) in Section("Rules"))
            {
                var rule = node!.AsObject();
                if (rule["RuleCondition"] is { } when && !Bool(Resolve(when)))
                {
                    continue;
                }

                foreach (var assertion in rule["Assertions"]!.AsArray())
                {
                    if (!Bool(Resolve(assertion!["Assert"]!)))
                    {
                        errors.Add($"rule {name}: {assertion["AssertDescription"]}");
                    }
                }
            }

            var resources = new Dictionary<string, JsonObject>();
            foreach (var (id, node) in Section("Resources"))
            {
                var resource = node!.AsObject();
                if (resource["Condition"] is { } condition && !Condition((string)condition!))
                {
                    continue;
                }

                resources[id] = new JsonObject
                {
                    ["Type"] = (string)resource["Type"]!,
                    ["Properties"] = Resolve(resource["Properties"]!),
                    ["DeletionPolicy"] = resource["DeletionPolicy"]?.DeepClone(),
                    ["DependsOn"] = resource["DependsOn"]?.DeepClone(),
                };
            }

            var outputs = new Dictionary<string, string>();
            foreach (var (name, node) in Section("Outputs"))
            {
                if (node!["Condition"] is { } condition && !Condition((string)condition!))
                {
                    continue;
                }

                outputs[name] = Resolve(node["Value"]!).ToString();
            }

            return new SynthesizedStack(resources, outputs, errors);
        }

        private JsonObject Section(string name) => root[name] as JsonObject ?? [];

        private bool Condition(string name)
        {
            if (!conditions.TryGetValue(name, out var value))
            {
                Assert.True(Section("Conditions").ContainsKey(name), $"no condition {name}");
                conditions[name] = value = Bool(Resolve(Section("Conditions")[name]!));
            }

            return value;
        }

        private JsonNode Resolve(JsonNode node)
        {
            switch (node)
            {
                case JsonArray array:
                    return new JsonArray(array.Select(item => Resolve(item!)).Where(item => !ReferenceEquals(item, NoValue)).Select(item => (JsonNode?)item.DeepClone()).ToArray());
                case JsonObject obj when obj.Count == 1 && (obj.First().Key == "Ref" || obj.First().Key.StartsWith("Fn::", StringComparison.Ordinal) || obj.First().Key == "Condition"):
                    return Function(obj.First().Key, obj.First().Value!);
                case JsonObject obj:
                    var result = new JsonObject();
                    foreach (var (key, value) in obj)
                    {
                        var resolved = Resolve(value!);
                        if (!ReferenceEquals(resolved, NoValue))
                        {
                            result[key] = resolved.DeepClone();
                        }
                    }

                    return result;
                default:
                    return node.DeepClone();
            }
        }

        private JsonNode Function(string name, JsonNode argument)
        {
            JsonArray Args() => argument.AsArray();
            switch (name)
            {
                case "Ref":
                    return Reference((string)argument!);
                case "Condition":
                    return JsonValue.Create(Condition((string)argument!));
                case "Fn::GetAtt":
                    return JsonValue.Create($"getatt-{Args()[0]}.{Args()[1]}");
                case "Fn::If":
                    return Resolve(Condition((string)Args()[0]!) ? Args()[1]! : Args()[2]!);
                case "Fn::Equals":
                    return JsonValue.Create(Resolve(Args()[0]!).ToString() == Resolve(Args()[1]!).ToString());
                case "Fn::Not":
                    return JsonValue.Create(!Bool(Resolve(Args()[0]!)));
                case "Fn::And":
                    return JsonValue.Create(Args().All(a => Bool(Resolve(a!))));
                case "Fn::Or":
                    return JsonValue.Create(Args().Any(a => Bool(Resolve(a!))));
                case "Fn::Join":
                    return JsonValue.Create(string.Join((string)Args()[0]!, Resolve(Args()[1]!).AsArray().Select(v => v!.ToString())));
                case "Fn::Split":
                    return new JsonArray(Resolve(Args()[1]!).ToString().Split((string)Args()[0]!).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
                case "Fn::Select":
                    var list = Resolve(Args()[1]!).AsArray();
                    var index = int.Parse(Resolve(Args()[0]!).ToString(), CultureInfo.InvariantCulture);
                    Assert.True(index < list.Count, $"Fn::Select index {index} beyond a list of {list.Count}");
                    return list[index]!.DeepClone();
                case "Fn::Sub":
                    return Substitute(argument);
                default:
                    Assert.Fail($"the offline template check does not know {name}");
                    return NoValue;
            }
        }

        private JsonNode Reference(string name)
        {
            if (parameters.TryGetValue(name, out var value))
            {
                return value.DeepClone();
            }

            switch (name)
            {
                case "AWS::NoValue":
                    return NoValue;
                case "AWS::Region":
                    return JsonValue.Create(Region);
                case "AWS::AccountId":
                    return JsonValue.Create("123456789012");
                case "AWS::StackName":
                    return JsonValue.Create("gateway-cognito");
                case "AWS::Partition":
                    return JsonValue.Create("aws");
            }

            var resource = Section("Resources")[name]?.AsObject();
            Assert.True(resource is not null, $"Ref to unknown name {name}");
            Assert.True(resource["Condition"] is not { } c || Condition((string)c!), $"Ref to {name}, which this parameter set does not create");
            return (string?)resource["Type"] switch
            {
                "AWS::Cognito::UserPool" => JsonValue.Create(PoolIdPlaceholder),
                "AWS::Cognito::UserPoolClient" => JsonValue.Create(ClientIdPlaceholder),
                // Ref of an identity provider is its ProviderName (what SupportedIdentityProviders lists).
                "AWS::Cognito::UserPoolIdentityProvider" => Resolve(resource["Properties"]!["ProviderName"]!),
                "AWS::Cognito::UserPoolDomain" => Resolve(resource["Properties"]!["Domain"]!),
                _ => JsonValue.Create("ref-" + name),
            };
        }

        private JsonNode Substitute(JsonNode argument)
        {
            string text;
            var variables = new Dictionary<string, string>();
            if (argument is JsonArray array)
            {
                text = (string)array[0]!;
                foreach (var (key, value) in array[1]!.AsObject())
                {
                    variables[key] = Resolve(value!).ToString();
                }
            }
            else
            {
                text = (string)argument!;
            }

            var result = Regex.Replace(text, @"\$\{(!?)([^}]+)\}", m =>
            {
                if (m.Groups[1].Value == "!")
                {
                    return "${" + m.Groups[2].Value + "}";
                }

                var name = m.Groups[2].Value;
                if (variables.TryGetValue(name, out var variable))
                {
                    return variable;
                }

                if (name.Contains('.', StringComparison.Ordinal))
                {
                    return "getatt-" + name;
                }

                var value = Reference(name);
                Assert.False(value is JsonArray, $"Fn::Sub of the list {name}");
                return value.ToString();
            });
            return JsonValue.Create(result);
        }

        private static bool Bool(JsonNode node) => node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.True => true,
            System.Text.Json.JsonValueKind.False => false,
            _ => throw new InvalidOperationException($"not a condition value: {node.ToJsonString()}"),
        };
    }
}
