{# The index's search box: shows the branch rows that match, and how many. #}
const box=document.getElementById('q');box.addEventListener('input',()=>{const q=box.value.trim().toLowerCase();
let shown=0;for(const row of document.querySelectorAll('tr.branch')){const hit=!q||row.dataset.search.includes(q);
row.hidden=!hit;if(hit)shown++}document.getElementById('count').textContent=shown});
