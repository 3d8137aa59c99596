{{/* Selector labels of a component: fixed, never extended (a Deployment's selector is immutable). */}}
{{- define "lbg.selectorLabels" -}}
app.kubernetes.io/name: longhorn-backup-guard
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/* metadata: for a product object. dict "root" $ "name" <name> "component" <component> ["namespace" <ns>] */}}
{{- define "lbg.metadata" -}}
metadata:
  name: {{ .name }}
  {{- with .namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "lbg.selectorLabels" . | nindent 4 }}
    {{- with .root.Values.commonLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .root.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* An image reference from images.<component>: the digest wins over the tag. */}}
{{- define "lbg.image" -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag }}
{{- end -}}
{{- end }}

{{/* The scheduling part of a pod spec. dict "root" $ "values" <webhook|reconciler values> "component" <component> */}}
{{- define "lbg.scheduling" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
affinity:
{{- if .values.affinity }}
  {{- toYaml .values.affinity | nindent 2 }}
{{- else }}
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "lbg.selectorLabels" . | nindent 14 }}
{{- end }}
{{- end }}

{{/* Pod and container security settings shared by both components (restricted Pod Security). */}}
{{- define "lbg.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
{{- end }}
{{- define "lbg.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
{{- end }}

{{/* Pod template metadata. dict "root" $ "values" <component values> "component" <component> */}}
{{- define "lbg.podMetadata" -}}
metadata:
  labels:
    {{- include "lbg.selectorLabels" . | nindent 4 }}
    {{- with .values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .values.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* A PodDisruptionBudget. dict "root" $ "values" <component values> "component" <component> */}}
{{- define "lbg.podDisruptionBudget" -}}
{{- if .values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
{{ include "lbg.metadata" (dict "root" .root "name" (printf "longhorn-backup-guard-%s" .component) "component" .component "namespace" .root.Release.Namespace) }}
spec:
  minAvailable: {{ .values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "lbg.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
