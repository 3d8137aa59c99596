import type { AdmissionResponse, PvcAdmissionRequest } from '../admission/admission-review.ts';
import type { AdmissionContext } from './admission-context.ts';
import { decideMutation } from './decide-mutation.ts';
import { decideValidation } from './decide-validation.ts';

export type WebhookKind = 'mutate' | 'validate';

export function decide(
  webhook: WebhookKind,
  request: PvcAdmissionRequest,
  context: AdmissionContext,
): AdmissionResponse {
  return webhook === 'mutate' ? decideMutation(request, context) : decideValidation(request, context);
}
