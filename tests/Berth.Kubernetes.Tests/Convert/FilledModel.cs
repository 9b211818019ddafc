using System.Collections;
using System.Reflection;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// Builds a Kubernetes model object with every property set, recursively: strings that need JSON escaping, numbers,
/// timestamps, bytes, both shapes of int-or-string, quantities, lists and maps holding a null beside a value. A type
/// already being built higher up the path is left null (the models are not recursive on the emitted kinds, but a
/// client upgrade could make them so). A model type with an <c>object</c>-typed property (<c>managedFields</c>) is left
/// null: the converter never emits one, and the reference serialiser's serialisation-only code cannot write it.
/// </summary>
internal static class FilledModel
{
    private const int MaxDepth = 16;

    public static object Create(Type type) => CreateModel(type, new HashSet<Type>(), 0)!;

    private static object? CreateModel(Type type, HashSet<Type> path, int depth)
    {
        if (depth > MaxDepth || type.GetProperties().Any(p => p.PropertyType == typeof(object)) || !path.Add(type))
        {
            return null;
        }

        var model = Activator.CreateInstance(type)!;
        var index = 0;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is { IsPublic: true })
            {
                property.SetValue(model, Value(property.PropertyType, $"{type.Name}.{property.Name}", index++, path, depth));
            }
        }

        path.Remove(type);
        return model;
    }

    private static object? Value(Type type, string where, int index, HashSet<Type> path, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return $"{where} <&'\"é\u2028\n\t+ \\ {index}";
        }

        if (underlying == typeof(int))
        {
            return index + 7;
        }

        if (underlying == typeof(long))
        {
            return (1L << 40) + index;
        }

        if (underlying == typeof(double))
        {
            return 0.1 + index;
        }

        if (underlying == typeof(bool))
        {
            return index % 2 == 0;
        }

        if (underlying == typeof(DateTime))
        {
            return new DateTime(2026, 12, 7, 12, 34, 56, DateTimeKind.Utc).AddMilliseconds(index * 7);
        }

        if (underlying == typeof(byte[]))
        {
            return new byte[] { 0, 1, 254, 255, (byte)index };
        }

        if (underlying == typeof(IntOrString))
        {
            return index % 2 == 0 ? (IntOrString)"8080" : (IntOrString)"http-port";
        }

        if (underlying == typeof(ResourceQuantity))
        {
            return new ResourceQuantity(index % 2 == 0 ? "500m" : "1Gi");
        }

        if (underlying == typeof(object))
        {
            return null;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IList<>))
        {
            var element = underlying.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Value(element, where, index, path, depth + 1));
            if (!element.IsValueType || Nullable.GetUnderlyingType(element) is not null)
            {
                list.Add(null);
            }

            list.Add(Value(element, where, index + 1, path, depth + 1));
            return list;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IDictionary<,>))
        {
            var valueType = underlying.GetGenericArguments()[1];
            var map = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
            map["z.example/key <&>"] = Value(valueType, where, index, path, depth + 1);
            map["a"] = valueType.IsValueType ? Value(valueType, where, index + 1, path, depth + 1) : null;
            map["é"] = Value(valueType, where, index + 1, path, depth + 1);
            return map;
        }

        if (underlying.IsClass && underlying.Namespace == "k8s.Models")
        {
            return CreateModel(underlying, path, depth + 1);
        }

        throw new NotSupportedException($"{where}: no test value for {type}.");
    }
}
