namespace Berth.StackApi;

/// <summary>One invalid field, as the API server's field.Error: type (FieldValueRequired, FieldValueInvalid, …), path, message.</summary>
public sealed record FieldError(string Type, string Field, string Message);
