// Kubernetes' own name rules (apimachinery validation), needed to validate labels, config and
// the objects we write before the apiserver or Longhorn refuses them.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const DNS_LABEL_MAX_LENGTH = 63;
export const DNS_SUBDOMAIN_MAX_LENGTH = 253;
export const LABEL_VALUE_MAX_LENGTH = 63;

/** RFC 1123 label: lowercase alphanumerics and '-', alphanumeric at both ends, at most 63. */
export function isDnsLabel(text: string): boolean {
  return text.length <= DNS_LABEL_MAX_LENGTH && DNS_LABEL.test(text);
}

/** RFC 1123 subdomain: dot-separated DNS labels, at most 253 characters in all. */
export function isDnsSubdomain(text: string): boolean {
  return text.length <= DNS_SUBDOMAIN_MAX_LENGTH && text.split('.').every((part) => DNS_LABEL.test(part));
}

/** A label key or other qualified name: `[prefix/]name`, prefix a DNS subdomain, name at most 63. */
export function isQualifiedName(text: string): boolean {
  const parts = text.split('/');
  if (parts.length > 2) return false;
  const name = parts.at(-1) ?? '';
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && !isDnsSubdomain(prefix)) return false;
  return name.length <= LABEL_VALUE_MAX_LENGTH && LABEL_NAME.test(name);
}

/** A label value: empty, or at most 63 of `[A-Za-z0-9-_.]` starting and ending alphanumeric. */
export function isLabelValue(text: string): boolean {
  return text === '' || (text.length <= LABEL_VALUE_MAX_LENGTH && LABEL_NAME.test(text));
}
