import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { TurnState } from '../../transport/turnState';

/** Turns a followed turn into the item's output; a failed turn becomes a NodeApiError. */
export function finishTurn(ctx: IExecuteFunctions, state: TurnState, itemIndex: number): IDataObject {
	if (state.status === 'error') {
		throw new NodeApiError(
			ctx.getNode(),
			{ error: state.error ?? '', response_id: state.responseId ?? '', session_id: state.sessionId ?? '' },
			{
				message: `Pokee agent error: ${state.error}`,
				description: `The turn ${state.responseId ?? ''} ended with message.error after ${state.text.length} characters of text.`,
				itemIndex,
			},
		);
	}
	return state.toJson();
}
