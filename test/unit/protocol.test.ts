import * as assert from 'node:assert/strict';
import { isWebviewToHost } from '../../src/common/protocol';

describe('webview -> host messages', () => {
  it('accepts file requests and saves with the fields the host needs', () => {
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: 'cfile_1', containerId: 'cntr_1' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: 'file-1' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: `stored-output:${'a'.repeat(64)}.png`, threadId: 't1' } }), true);
    assert.equal(isWebviewToHost({ type: 'file/save', fileId: `stored-output:${'a'.repeat(64)}.png`, threadId: 't1' }), true);
    assert.equal(isWebviewToHost({ type: 'file/save', fileId: 'file-1', filename: 'chart.png' }), true);
    assert.equal(isWebviewToHost({ type: 'file/save', fileId: 'inline-1', dataUrl: 'data:image/png;base64,AAAA' }), true);
  });

  it('refuses file messages with missing or mistyped fields', () => {
    assert.equal(isWebviewToHost({ type: 'request', kind: 'file/read', payload: { fileId: 'file-1' } }), false, 'no request id');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: '' } }), false, 'empty file id');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: 'f', containerId: 7 } }), false);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r1', kind: 'file/read', payload: { fileId: 'f', threadId: 7 } }), false);
    assert.equal(isWebviewToHost({ type: 'file/save', fileId: 'f', filename: ['a'] }), false);
    assert.equal(isWebviewToHost({ type: 'file/save', fileId: 'f', dataUrl: 1 }), false);
  });

  it('accepts a custom function\'s output and draft only with a call id and text', () => {
    assert.equal(isWebviewToHost({ type: 'output/submit', callId: 'call_1', output: '{"price":3}' }), true);
    assert.equal(isWebviewToHost({ type: 'output/draft', callId: 'call_1', draft: '' }), true);
    assert.equal(isWebviewToHost({ type: 'output/submit', callId: 'call_1', output: { price: 3 } }), false);
    assert.equal(isWebviewToHost({ type: 'output/draft', draft: 'x' }), false);
  });

  it('accepts Send to Another Assistant only with a thread and a message', () => {
    assert.equal(isWebviewToHost({ type: 'message/forward', threadId: 't1', messageId: 'msg_1' }), true);
    assert.equal(isWebviewToHost({ type: 'message/forward', threadId: 't1' }), false);
    assert.equal(isWebviewToHost({ type: 'message/forward', threadId: '', messageId: 'msg_1' }), false);
    assert.equal(isWebviewToHost({ type: 'message/forward', threadId: 't1', messageId: 7 }), false);
  });

  it('still accepts the chat messages and nothing unknown', () => {
    assert.equal(isWebviewToHost({ type: 'ready' }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/send', payload: { text: 'hi' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/send', payload: { text: 'hi', draftSeq: 1_700_000_000_000 } }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/send', payload: { text: 'hi', draftSeq: '1' } }), false, 'a draft number is a number');
    assert.equal(isWebviewToHost({ type: 'draft/save', draft: 'typed', seq: 3 }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/send', payload: { text: 'hi', replaces: 'msg_1' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/send', payload: { text: 'hi', replaces: 1 } }), false);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/retry', payload: {} }), true);
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/retry', payload: { instructions: 'Be brief.' } }), true);
    assert.equal(isWebviewToHost({ type: 'request', kind: 'chat/retry', payload: {} }), false, 'a retry is answered by its request id');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/retry' }), false, 'a request has a payload');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'chat/delete', payload: {} }), false, 'no such request');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r', kind: 'toString', payload: {} }), false, 'an inherited name is no request');
    assert.equal(isWebviewToHost({ type: 'request', id: 'r'.repeat(201), kind: 'chat/retry', payload: {} }), false, 'an id past 200 characters');
    assert.equal(isWebviewToHost({ type: 'chat/send', requestId: 'r', text: 'hi' }), false, 'a send is a request');
    assert.equal(isWebviewToHost({ type: 'draft/save', draft: 'typed' }), false, 'a draft write without its number could not be ordered');
    assert.equal(isWebviewToHost({ type: 'draft/save', draft: 'typed', seq: Number.NaN }), false);
    assert.equal(isWebviewToHost({ type: 'instructions/save', instructions: 'Answer in French.', seq: 3 }), true);
    assert.equal(isWebviewToHost({ type: 'instructions/save', instructions: '', seq: 4 }), true, 'cleared instructions are kept too');
    assert.equal(isWebviewToHost({ type: 'instructions/save', instructions: 'Answer in French.' }), false, 'a write without its number could not be ordered');
    assert.equal(isWebviewToHost({ type: 'file/delete', fileId: 'f' }), false);
    assert.equal(isWebviewToHost(null), false);
    assert.equal(isWebviewToHost('ready'), false);
  });
});
