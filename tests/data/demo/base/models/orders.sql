select * from {{ ref("customers") }}
