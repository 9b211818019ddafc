using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// A decoded request body: the storage form (null when the body cannot be decoded), the JSON paths of fields the
/// version does not know (for fieldValidation Strict/Warn; they are dropped), and decoding errors (wrong types).
/// </summary>
public sealed record StackDecodeResult(JsonObject? Stored, ImmutableArray<string> UnknownFields, ImmutableArray<FieldError> Errors);
