namespace Berth.StackApi.Types;

/// <summary>field.ErrorType strings (k8s.io/apimachinery pkg/util/validation/field/errors.go).</summary>
internal static class FieldErrorTypes
{
    public const string NotFound = "FieldValueNotFound";
    public const string Required = "FieldValueRequired";
    public const string Duplicate = "FieldValueDuplicate";
    public const string Invalid = "FieldValueInvalid";
    public const string NotSupported = "FieldValueNotSupported";
    public const string Forbidden = "FieldValueForbidden";
    public const string TooLong = "FieldValueTooLong";
    public const string TypeInvalid = "FieldValueTypeInvalid";
}
