using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;

namespace Gateway.Configuration;

/// <summary>
/// Compares the configured keys with the options classes bound to them (case-insensitive, recursively): an unknown key
/// is an error with a "did you mean" hint, since the binder would silently ignore it and run on the default; a value
/// the binder cannot convert is an error naming the valid choices. Dictionaries accept any child key.
/// </summary>
internal static class ConfigurationKeyCheck
{
    /// <summary>Adds every problem; returns the options classes whose values cannot be bound (their validators cannot run).</summary>
    public static IReadOnlySet<Type> Check(IConfiguration configuration, IReadOnlyList<BoundOptionsSection> sections, List<string> problems)
    {
        var unbindable = new HashSet<Type>();
        var checkedSections = sections.Where(s => s.CheckKeys).ToList();
        foreach (var root in checkedSections.Select(s => s.Path.Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            new Walker(checkedSections, problems, unbindable).Section(configuration.GetSection(root));
        }

        return unbindable;
    }

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="name"/>, when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private sealed class Walker(List<BoundOptionsSection> sections, List<string> problems, HashSet<Type> unbindable)
    {
        public void Section(IConfigurationSection section)
        {
            var here = sections.Where(s => string.Equals(s.Path, section.Path, StringComparison.OrdinalIgnoreCase)).ToList();
            if (here.FirstOrDefault(s => IsDictionary(s.SchemaType, out _)) is { } map)
            {
                Value(section, map.SchemaType, map.OptionsType);
                return;
            }

            var children = sections
                .Where(s => s.Path.Length > section.Path.Length + 1 && s.Path.StartsWith(section.Path + ":", StringComparison.OrdinalIgnoreCase))
                .Select(s => s.Path[(section.Path.Length + 1)..].Split(':')[0])
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            var properties = here.SelectMany(s => Properties(s.SchemaType).Select(p => (Section: s, Property: p))).ToList();
            foreach (var child in section.GetChildren())
            {
                if (children.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    Section(child);
                }
                else if (properties.FirstOrDefault(p => string.Equals(p.Property.Name, child.Key, StringComparison.OrdinalIgnoreCase)) is { Section: not null } match)
                {
                    Value(child, match.Property.Type, match.Section.OptionsType);
                }
                else
                {
                    Unknown(child, properties.Select(p => p.Property.Name).Concat(children));
                }
            }
        }

        private void Unknown(IConfigurationSection child, IEnumerable<string> known)
        {
            var parent = child.Path[..^(child.Key.Length + 1)];
            var names = known.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
            var suggestion = Suggest(child.Key, names);
            problems.Add(suggestion is not null
                ? $"unknown key {child.Path} — did you mean {parent}:{suggestion}? Fix the spelling or remove it (an unknown key is ignored, so the setting would silently not apply)."
                : $"unknown key {child.Path}; the keys under {parent} are {string.Join(", ", names)}. Fix the spelling or remove it (an unknown key is ignored, so the setting would silently not apply).");
        }

        private void Object(IConfigurationSection section, Type type, Type owner)
        {
            var properties = Properties(type);
            foreach (var child in section.GetChildren())
            {
                var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
                if (property.Name is null)
                {
                    Unknown(child, properties.Select(p => p.Name));
                }
                else
                {
                    Value(child, property.Type, owner);
                }
            }
        }

        private void Value(IConfigurationSection section, Type type, Type owner)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(string) || type == typeof(object))
            {
                return;
            }

            if (IsDictionary(type, out var valueType))
            {
                // Any child key is allowed (header names, policy names, claim types with ':' in them); an options object as the value is checked inside.
                if (IsComplex(valueType))
                {
                    foreach (var child in section.GetChildren())
                    {
                        Object(child, valueType, owner);
                    }
                }

                return;
            }

            if (IsList(type, out var elementType))
            {
                foreach (var child in section.GetChildren())
                {
                    Value(child, elementType, owner);
                }

                return;
            }

            if (IsComplex(type))
            {
                Object(section, type, owner);
                return;
            }

            if (string.IsNullOrEmpty(section.Value) || Converts(section.Value, type))
            {
                return;
            }

            unbindable.Add(owner);
            problems.Add(FormatProblem(section.Path, section.Value, type));
        }

        private static bool Converts(string value, Type type)
        {
            if (type.IsEnum)
            {
                // The binder also takes numbers and comma lists; only the names mean something.
                return !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) &&
                       Enum.TryParse(type, value.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!);
            }

            try
            {
                return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
            {
                return false;
            }
        }

        private static string FormatProblem(string key, string value, Type type)
        {
            var got = value;
            if (type.IsEnum)
            {
                return $"{key} has an unknown value (got '{got}'); must be one of {string.Join(", ", Enum.GetNames(type))}.";
            }

            if (type == typeof(bool))
            {
                return $"{key} must be true or false (got '{got}').";
            }

            if (type == typeof(TimeSpan))
            {
                return $"{key} is not a duration (got '{got}'); write [d.]hh:mm:ss, e.g. '00:05:00' for five minutes or '1.00:00:00' for a day.";
            }

            if (type == typeof(int) || type == typeof(long))
            {
                return $"{key} must be a whole number (got '{got}'), e.g. 16384.";
            }

            return $"{key} has a value of the wrong format (got '{got}'); it must be a {type.Name}.";
        }
    }

    private static List<(string Name, Type Type)> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is not null && p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || !IsScalar(p.PropertyType)))
            .Select(p => (p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, p.PropertyType))
            .ToList();

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri);
    }

    private static bool IsComplex(Type type) => !IsScalar(type) && type.IsClass && type != typeof(object) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsDictionary(Type type, out Type valueType)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        valueType = dictionary?.GetGenericArguments()[1] ?? typeof(object);
        return dictionary is not null;
    }

    private static bool IsList(Type type, out Type elementType)
    {
        elementType = type.IsArray
            ? type.GetElementType()!
            : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0] : typeof(object);
        return type.IsArray || (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type));
    }
}
