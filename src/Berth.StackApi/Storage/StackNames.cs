using System.Security.Cryptography;

namespace Berth.StackApi.Storage;

/// <summary>Names as the generic registry treats them.</summary>
internal static class StackNames
{
    // k8s.io/apimachinery pkg/util/rand/rand.go: no vowels (no words), no confusable 0/1/3.
    private const string Alphanums = "bcdfghjklmnpqrstvwxz2456789";

    // k8s.io/apiserver pkg/storage/names/generate.go: 63 minus the 5 random characters.
    private const int MaxGeneratedBaseLength = 58;

    public static string Generate(string generateName)
    {
        var baseName = generateName.Length > MaxGeneratedBaseLength ? generateName[..MaxGeneratedBaseLength] : generateName;
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = Alphanums[RandomNumberGenerator.GetInt32(Alphanums.Length)];
        }

        return baseName + new string(suffix);
    }

    /// <summary>
    /// Refuses names that would escape or alias the key space (k8s.io/apiserver pkg/registry/generic/registry/store.go
    /// NamespaceKeyFunc with pkg/api/validation/path/name.go IsValidPathSegmentName).
    /// </summary>
    public static void ValidatePathSegment(string name, string what = "Name")
    {
        if (name.Length == 0)
        {
            throw new StoreException(StoreErrorKind.BadRequest, $"{what} parameter required.");
        }

        var messages = new List<string>();
        if (name is "." or "..")
        {
            messages.Add($"may not be '{name}'");
        }
        else
        {
            foreach (var illegal in new[] { "/", "%" })
            {
                if (name.Contains(illegal, StringComparison.Ordinal))
                {
                    messages.Add($"may not contain '{illegal}'");
                }
            }
        }

        if (messages.Count > 0)
        {
            throw new StoreException(StoreErrorKind.BadRequest, $"{what} parameter invalid: \"{name}\": {string.Join(";", messages)}");
        }
    }
}
