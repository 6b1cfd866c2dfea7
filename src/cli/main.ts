console.log('model-ledger: under construction');
